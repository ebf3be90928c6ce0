// The optimizer race: the tutorial's "不同优化器比较", done right. Every
// optimizer trains every layer, from the same initial weights, on the same
// mini-batches, in lock-step.
import { el } from './dom.js';
import { mountChart, fmt } from './chart.js';
import { engineConfig, optimizerConfig } from './settings.js';
import { labelled } from './i18n.js';

const CHOICES = [
  // The tutorial's four, with its learning rates, are on by default.
  ['sgd', 'SGD', 0.01, true],
  ['momentum', 'Momentum', 0.01, true],
  ['rmsprop', 'RMSprop', 0.001, true],
  ['adam', 'Adam', 0.001, true],
  ['nesterov', 'Nesterov', 0.01, false],
  ['adamw', 'AdamW', 0.001, false],
  ['adagrad', 'Adagrad', 0.01, false],
];
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#7f7f7f'];
const CELL = 48; // boundary cells per side in each small multiple

/**
 * Draws run `i` of `race` on `canvas`: its boundary over bounds `b`, and
 * every other point of the main run `pg` (the race trains on the same data).
 */
function drawBoundary(race, i, canvas, b, pg) {
  race.grid(i, CELL, b.xMin, b.xMax, b.yMin, b.yMax, false);
  const rgba = race.gridRgba(i);
  const img = new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, CELL * CELL * 4), CELL, CELL);
  const off = document.createElement('canvas');
  off.width = CELL;
  off.height = CELL;
  off.getContext('2d').putImageData(img, 0, 0);
  const g = canvas.getContext('2d');
  g.imageSmoothingEnabled = true;
  g.drawImage(off, 0, 0, canvas.width, canvas.height);
  const pts = pg.points();
  const labels = pg.labels();
  const css = getComputedStyle(canvas);
  for (let k = 0; k < labels.length; k += 2) {
    g.fillStyle = css.getPropertyValue(`--class-${labels[k]}`).trim();
    const x = ((pts[2 * k] - b.xMin) / (b.xMax - b.xMin)) * canvas.width;
    const y = (1 - (pts[2 * k + 1] - b.yMin) / (b.yMax - b.yMin)) * canvas.height;
    g.fillRect(x - 1, y - 1, 2, 2);
  }
}

export function mountRace(panel, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const picks = CHOICES.map(([kind, name, lr, on]) => {
    const box = el('input', { type: 'checkbox', id: `race-${kind}`, checked: on });
    const rate = el('input', { type: 'number', id: `race-lr-${kind}`, value: String(lr), step: 'any', min: '0' });
    rate.setAttribute('aria-label', tr('raceLr', { name }));
    return { kind, name, box, rate, row: el('div', { class: 'field' }, [box, el('label', { for: box.id, text: name }), rate]) };
  });
  const start = L('button', 'raceStart', { type: 'button', id: 'race-start', class: 'primary' });
  const toggle = el('button', { type: 'button', id: 'race-toggle', text: tr('pause'), disabled: true });
  const target = el('input', { type: 'number', id: 'race-target', value: '95', min: '1', max: '100' });
  const status = el('p', { class: 'hint', id: 'race-status', text: tr('raceIntro') });
  const multiples = el('div', { class: 'multiples', id: 'race-multiples' });
  const lossCanvas = el('canvas', { width: 420, height: 200, id: 'race-loss' });
  const accCanvas = el('canvas', { width: 420, height: 200, id: 'race-acc' });
  const readout = el('p', { class: 'hover' });
  const table = el('table', { class: 'reach', id: 'race-reach' });
  panel.append(
    L('h2', 'tabRace'),
    L('p', 'raceNote', { class: 'hint' }),
    el('div', { class: 'race-grid' }, [
      el('div', {}, [...picks.map((p) => p.row), el('div', { class: 'buttons' }, [start, toggle]), status]),
      multiples,
      el('div', {}, [lossCanvas, accCanvas, readout]),
    ]),
    el('div', { class: 'field' }, [L('label', 'raceTarget', { for: target.id }), target]),
    table,
  );
  const lossChart = mountChart(lossCanvas, { yLabel: tr('trainLossSeries'), readout, epochWord: tr('epochWord') });
  const accChart = mountChart(accCanvas, { yLabel: tr('testAccSeries'), yMin: 0, yMax: 1, readout, epochWord: tr('epochWord') });
  let race = null;
  let runs = [];
  let playing = false;
  let over = false; // every run is at the stop ("Stop after epochs") or cannot train
  let shownEpoch = -1;

  function begin() {
    const chosen = picks.filter((p) => p.box.checked);
    if (chosen.length < 2 || chosen.length > 6) {
      status.textContent = tr('racePick', { n: chosen.length });
      return;
    }
    const s = ctx.settings();
    const opts = chosen.map((p) => optimizerConfig(p.kind, Number(p.rate.value), s));
    try {
      const next = new ctx.wasm.Race(engineConfig(s), opts);
      race?.free();
      race = next;
    } catch (e) {
      status.textContent = tr('raceCannot', { why: e.message });
      return;
    }
    runs = chosen.map((p, i) => ({ name: p.name, color: PALETTE[CHOICES.findIndex((c) => c[0] === p.kind)] ?? PALETTE[i] }));
    multiples.replaceChildren(
      ...runs.map((r, i) => {
        const c = el('canvas', { width: 180, height: 180, id: `race-boundary-${i}` });
        c.setAttribute('aria-label', tr('raceBoundary', { name: r.name }));
        r.canvas = c;
        r.caption = el('figcaption', { text: r.name });
        r.caption.style.color = r.color;
        return el('figure', {}, [c, r.caption]);
      }),
    );
    playing = true;
    over = false;
    toggle.disabled = false;
    shownEpoch = -1;
    panel.dataset.runs = String(runs.length);
    // Other views (the landscape) follow the race through these events.
    panel.dispatchEvent(new CustomEvent('race-begin', { bubbles: true, detail: { race, runs } }));
    draw();
  }

  start.addEventListener('click', begin);
  toggle.addEventListener('click', () => { playing = !playing; over = false; draw(); });
  target.addEventListener('change', () => draw());

  function draw() {
    if (!race) return;
    const lossSeries = [];
    const accSeries = [];
    const want = Number(target.value) / 100;
    const rows = [el('tr', {}, [el('th', { text: tr('f_optimizer') }), el('th', { text: tr('raceEpochsTo', { p: target.value }) }), el('th', { text: tr('testAcc') }), el('th', { text: tr('raceFirstLoss') })])];
    let epoch = 0;
    const epochs = [];
    // Grids first: computing them may grow wasm memory, which detaches earlier views.
    runs.forEach((r, i) => drawBoundary(race, i, r.canvas, ctx.bounds(), ctx.run()));
    runs.forEach((r, i) => {
      const e = race.lastEpoch(i);
      const acc = e?.test_acc;
      epochs.push(e?.epoch ?? 0);
      epoch = Math.max(epoch, e?.epoch ?? 0);
      const label = tr('raceLegend', { name: r.name, acc: acc === null || acc === undefined ? '–' : acc.toFixed(2) });
      const x = race.history(i, 'epoch');
      lossSeries.push({ name: label, color: r.color, values: race.history(i, 'train_loss') });
      accSeries.push({ name: label, color: r.color, values: race.history(i, 'test_acc') });
      const accs = race.history(i, 'test_acc');
      let reached = '–';
      for (let k = 0; k < accs.length; k++) if (accs[k] >= want) { reached = String(x[k]); break; }
      rows.push(el('tr', {}, [el('td', { text: r.name }), el('td', { text: reached }), el('td', { text: fmt(acc) }), el('td', { text: fmt(r.firstLoss) })]));
      r.caption.textContent = label;
    });
    const x = race.history(0, 'epoch');
    lossChart.update({ x, series: lossSeries });
    accChart.update({ x, series: accSeries });
    table.replaceChildren(...rows);
    status.textContent = tr(over ? 'raceOver' : playing ? 'racing' : 'racePaused', { epoch });
    toggle.textContent = tr(playing ? 'pause' : 'resume');
    panel.dataset.epoch = String(epoch);
    panel.dataset.epochs = JSON.stringify(epochs);
  }

  return {
    frame(now, visible) {
      if (!race || !playing) return;
      // The main run's "Stop after epochs" stops the race too, at exactly that epoch.
      const maxEpochs = ctx.settings().max_epochs;
      if (runs[0].firstLoss === undefined) {
        // Each run's loss before its first update: identical by construction.
        race.stepBatches(1, maxEpochs);
        runs.forEach((r, i) => { r.firstLoss = race.lastStep(i).loss; });
        panel.dataset.firstLosses = JSON.stringify(runs.map((r) => r.firstLoss));
      }
      over = race.stepEpochs(1, maxEpochs);
      const epochs = race.history(0, 'epoch');
      panel.dispatchEvent(new CustomEvent('race-step', { bubbles: true, detail: { race, epoch: epochs[epochs.length - 1] ?? 0 } }));
      if (over) playing = false;
      if (visible || over) draw();
    },
    update(force) {
      if (force) draw();
    },
    relabel() {
      lossChart.setLabels({ yLabel: tr('trainLossSeries'), epochWord: tr('epochWord') });
      accChart.setLabels({ yLabel: tr('testAccSeries'), epochWord: tr('epochWord') });
      for (const p of picks) p.rate.setAttribute('aria-label', tr('raceLr', { name: p.name }));
      if (!race) status.textContent = tr('raceIntro');
      draw();
    },
  };
}
