// The timeline: a bounded set of weight snapshots, taken as training goes;
// scrubbing shows the main boundary at an earlier epoch without touching the
// live run, so playing again continues from the latest epoch. Below it, the
// test-set confusion matrix.
import { el } from './dom.js';
import { labelled } from './i18n.js';

const MAX_SNAPSHOTS = 40;

export function mountTimeline(panel, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const slider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', id: 'timeline' });
  slider.setAttribute('aria-label', tr('timelineSlider'));
  slider.dataset.i18nAria = 'timelineSlider';
  const label = el('p', { class: 'hint', id: 'timeline-label', text: tr('timelineIntro') });
  const present = L('button', 'timelinePresent', { type: 'button', id: 'timeline-present', disabled: true });
  const confusion = el('table', { class: 'reach confusion', id: 'confusion' });
  panel.append(
    L('h2', 'tabTimeline'),
    el('div', { class: 'field' }, [L('label', 'epochLabel', { for: slider.id }), slider, present]),
    label,
    L('h3', 'confusionTitle'),
    confusion,
  );
  let snaps = [];
  let every = 1;
  let run = null;
  let lastEpoch = -1;

  function clear() {
    snaps = [];
    every = 1;
    lastEpoch = -1;
    ctx.showSnapshot(null);
    sync();
  }

  /** Slider, button and hint after any change: the hint says what is shown, or what there is to look back at. */
  function sync() {
    const shown = ctx.shownSnapshot();
    slider.max = String(snaps.length);
    if (!shown) slider.value = String(snaps.length);
    present.disabled = !shown;
    panel.dataset.snapshots = String(snaps.length);
    if (shown) label.textContent = tr('timelineThen', { then: shown.epoch, epoch: ctx.run().epoch });
    else if (snaps.length === 0) label.textContent = tr('timelineIntro');
    else if (snaps.length === 1) label.textContent = tr('timelineHoldsOne', { last: snaps[0].epoch });
    else label.textContent = tr('timelineHolds', { n: snaps.length, first: snaps[0].epoch, last: snaps[snaps.length - 1].epoch });
  }

  slider.addEventListener('input', () => {
    const k = Number(slider.value);
    ctx.showSnapshot(k < snaps.length ? snaps[k] : null);
    sync();
  });
  present.addEventListener('click', () => {
    ctx.showSnapshot(null);
    sync();
  });

  function drawConfusion() {
    const pg = ctx.run();
    const k = pg.nClasses();
    const counts = pg.confusion();
    const head = el('tr', {}, [el('th', { text: tr('confusionCorner') }), ...Array.from({ length: k }, (_, c) => el('th', { text: tr('classN', { c }) }))]);
    const rows = Array.from({ length: k }, (_, t) =>
      el('tr', {}, [
        el('th', { text: tr('classN', { c: t }) }),
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
    update(stale) {
      if (stale) {
        drawConfusion();
        sync();
      }
    },
    relabel() {
      sync();
    },
  };
}
