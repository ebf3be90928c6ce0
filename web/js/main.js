// The page's owner: state, wiring and drawing. Other modules draw; this one decides.
import { bindings } from './wasm.js';
import { boundsOf, drawScatter } from './scatter.js';

const $ = (id) => document.getElementById(id);

async function main() {
  const wasm = await bindings;
  const canvas = $('data-canvas');
  const status = $('status');
  let playground;
  try {
    playground = new wasm.Playground({ seed: 0, dataset: { kind: 'moons', n_samples: 1000, noise: 0.2 } });
  } catch (e) {
    status.textContent = `Could not start: ${e.message}`;
    return;
  }

  function draw() {
    // Views are taken afresh for every draw: a call into wasm may have grown memory.
    const points = playground.points();
    const labels = playground.labels();
    drawScatter(canvas, points, labels, boundsOf(points));
    $('seed').textContent = String(playground.seed());
    status.textContent = `${playground.len()} points, ${playground.nClasses()} classes`;
  }

  $('new-seed').addEventListener('click', () => {
    playground.newSeed();
    draw();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', draw);
  draw();
  document.body.dataset.ready = 'true';
}

main();
