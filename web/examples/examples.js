// The examples page: two playgrounds mounted from a module, and a control
// that changes the custom element's attribute.
import { mount } from '../js/app.js';

const $ = (id) => document.getElementById(id);
const common = { embed: true, views_hide: true, export_hide: true, speed: 2 };

const left = await mount($('mount-a'), { ...common, dataset: 'xor', layers: [4], optimizer: 'adam', lr: 0.03, seed: 1 });
const right = await mount($('mount-b'), { ...common, dataset: 'spiral', layers: [12, 12], activation: 'tanh', optimizer: 'adam', lr: 0.01, seed: 2 });
for (const [handle, id] of [[left, 'mount-a-epoch'], [right, 'mount-b-epoch']]) {
  handle.addEventListener('epoch', (e) => {
    $(id).value = `epoch ${e.detail.epoch}, test accuracy ${(e.detail.test_acc * 100).toFixed(1)} %`;
  });
}
$('mount-a-play').addEventListener('click', () => left.play());
$('mount-a-pause').addEventListener('click', () => left.pause());
$('mount-b-step').addEventListener('click', () => right.step(10));
$('element-dataset').addEventListener('change', (e) => $('element').setAttribute('dataset', e.target.value));
// For the tests: the two handles.
window.examples = { left, right };
document.body.dataset.ready = 'true';
