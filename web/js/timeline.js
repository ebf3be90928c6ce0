// The timeline: a bounded set of weight snapshots, taken as training goes;
// scrubbing shows the main boundary at an earlier epoch without touching the
// live run, so playing again continues from the latest epoch. Below it, the
// test-set confusion matrix.
import { el } from './views.js';

const MAX_SNAPSHOTS = 40;

export function mountTimeline(panel, ctx) {
  const slider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', id: 'timeline' });
  slider.setAttribute('aria-label', 'Epoch shown on the main boundary');
  const label = el('p', { class: 'hint', id: 'timeline-label', text: 'Train for a while: snapshots of the weights are kept as it goes.' });
  const present = el('button', { type: 'button', id: 'timeline-present', text: 'Back to the present', disabled: true });
  const confusion = el('table', { class: 'reach confusion', id: 'confusion' });
  panel.append(
    el('h2', { text: 'Timeline' }),
    el('div', { class: 'field' }, [el('label', { for: slider.id, text: 'Epoch' }), slider, present]),
    label,
    el('h3', { text: 'Confusion matrix (test points)' }),
    confusion,
  );
  let snaps = [];
  let every = 1;
  let run = null;
  let lastEpoch = -1;
  let lastKey = '';

  function clear() {
    snaps = [];
    every = 1;
    lastEpoch = -1;
    ctx.showSnapshot(null);
    sync();
  }

  function sync() {
    slider.max = String(snaps.length);
    if (!ctx.shownSnapshot()) slider.value = String(snaps.length);
    present.disabled = !ctx.shownSnapshot();
    panel.dataset.snapshots = String(snaps.length);
  }

  slider.addEventListener('input', () => {
    const k = Number(slider.value);
    if (k >= snaps.length) {
      ctx.showSnapshot(null);
      label.textContent = `Showing the present (epoch ${ctx.run().epoch}).`;
    } else {
      ctx.showSnapshot(snaps[k]);
      label.textContent = `Showing the boundary at epoch ${snaps[k].epoch}. Press play (or “Back to the present”) to continue from epoch ${ctx.run().epoch}.`;
    }
    sync();
  });
  present.addEventListener('click', () => {
    ctx.showSnapshot(null);
    label.textContent = `Showing the present (epoch ${ctx.run().epoch}).`;
    sync();
  });

  function drawConfusion() {
    const pg = ctx.run();
    const k = pg.nClasses();
    const counts = pg.confusion();
    const head = el('tr', {}, [el('th', { text: 'true \\ predicted' }), ...Array.from({ length: k }, (_, c) => el('th', { text: `class ${c}` }))]);
    const rows = Array.from({ length: k }, (_, t) =>
      el('tr', {}, [
        el('th', { text: `class ${t}` }),
        ...Array.from({ length: k }, (_, p) => el('td', { text: String(counts[t * k + p]), class: t === p ? 'diag' : '' })),
      ]),
    );
    confusion.replaceChildren(head, ...rows);
  }

  return {
    frame() {
      const pg = ctx.run();
      if (pg !== run || pg.epoch < lastEpoch) {
        run = pg;
        clear();
      }
      if (pg.epoch === lastEpoch || pg.epoch === 0) return;
      lastEpoch = pg.epoch;
      if (pg.epoch % every !== 0) return;
      snaps.push({ epoch: pg.epoch, weights: pg.snapshot() });
      if (snaps.length > MAX_SNAPSHOTS) {
        // Keep every other older snapshot: the timeline stays bounded however long training runs.
        snaps = snaps.filter((_, i) => i % 2 === 1 || i === snaps.length - 1);
        every *= 2;
      }
      sync();
    },
    update(force) {
      const pg = ctx.run();
      const key = `${pg.epoch}:${pg.steps}`;
      if (force || key !== lastKey) {
        lastKey = key;
        drawConfusion();
        sync();
      }
    },
  };
}
