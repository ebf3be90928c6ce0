// The page's owner: settings, the run, the animation loop and the URL hash.
// Other modules draw and report actions; this one decides.
import { bindings } from './wasm.js';
import { decodeHash, defaults, encodeHash, engineConfig, needsReset, parseValue } from './settings.js';
import { mountControls } from './controls.js';
import { boundsOf, mountPlot } from './plot.js';
import { fmt, mountChart } from './chart.js';
import { mountViews } from './views.js';

const $ = (id) => document.getElementById(id);
const GRID = 100; // boundary cells per side; the canvas scales the image up
const FRAME_BUDGET_MS = 10; // training time per animation frame
const UI_ONLY = new Set(['speed', 'max_epochs', 'target_acc', 'discretize', 'show_test', 'lang']);
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

const state = {
  wasm: null,
  settings: defaults(),
  pg: null,
  bounds: null,
  playing: false,
  drawClass: 0,
  dirty: true,
  lastEpoch: -1,
  lastBoundary: 0,
  hover: null,
  lastAnnounced: null,
  snapshot: null, // a timeline snapshot shown on the main boundary, or null for the present
};

let controls;
let plot;
let lossChart;
let accChart;
let views;

/** Adds a dismissable message; `kind` is 'info' or 'warn'. Text only, never HTML. */
function notice(text, kind = 'info', sticky = false) {
  const p = document.createElement('p');
  p.className = `notice ${kind}`;
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => p.remove());
  p.append(close);
  $('notices').append(p);
  if (!sticky) setTimeout(() => p.remove(), 8000);
}

function writeHash() {
  const hash = encodeHash(state.settings);
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

/** A fresh run from the settings; on error keeps the previous run and says why. */
function rebuild() {
  let pg;
  try {
    pg = new state.wasm.Playground(engineConfig(state.settings));
  } catch (e) {
    notice(`These settings cannot be used: ${e.message}`, 'warn', true);
    return false;
  }
  state.pg?.free();
  state.pg = pg;
  state.bounds = state.settings.dataset === 'custom' ? { xMin: -2, xMax: 2, yMin: -2, yMax: 2 } : boundsOf(pg.points());
  state.lastEpoch = -1;
  state.snapshot = null;
  views?.reset();
  $('banner').hidden = true;
  state.dirty = true;
  return true;
}

function change(key, value) {
  const { value: v, problem } = parseValue(key, Array.isArray(value) ? (value.length ? value.join(',') : '-') : String(value === true ? 1 : value === false ? 0 : value));
  if (problem) {
    notice(`${key}: ${problem}`, 'warn');
    state.dirty = true;
    return;
  }
  const before = state.settings[key];
  state.settings[key] = v;
  writeHash();
  state.dirty = true;
  if (key === 'lang') views?.relabel();
  if (UI_ONLY.has(key)) return;
  if (needsReset(key)) {
    if (rebuild()) {
      if (state.lastAnnounced !== key) notice('The data or the network changed, so training starts again.');
      state.lastAnnounced = key;
    } else {
      state.settings[key] = before;
      writeHash();
    }
    return;
  }
  try {
    state.pg.setConfig(engineConfig(state.settings));
  } catch (e) {
    notice(`Not applied: ${e.message}`, 'warn');
    state.settings[key] = before;
    writeHash();
  }
}

function action(name) {
  const pg = state.pg;
  switch (name) {
    case 'toggle':
      state.playing = !state.playing && pg.status().state === 'ready';
      if (state.playing) state.snapshot = null; // resume from the present
      break;
    case 'step-epoch':
      state.playing = false;
      pg.stepEpochs(1);
      afterSteps();
      break;
    case 'step-batch':
      state.playing = false;
      pg.stepBatches(1);
      afterSteps();
      break;
    case 'reset':
      rebuild();
      break;
    case 'new-seed':
      state.settings.seed = Math.floor(Math.random() * 1e6);
      writeHash();
      rebuild();
      break;
    case 'draw-class-0':
    case 'draw-class-1':
      state.drawClass = Number(name.slice(-1));
      break;
  }
  state.dirty = true;
}

/** Pauses on divergence or a stop condition. */
function afterSteps() {
  const pg = state.pg;
  const status = pg.status();
  if (status.state === 'diverged') {
    state.playing = false;
    const why = {
      loss: 'the loss became NaN or infinite',
      parameters: 'a weight became NaN or infinite',
      exploded: 'the loss grew more than a thousandfold',
    }[status.what];
    $('banner-text').textContent =
      `Training diverged at epoch ${status.epoch}: ${why}. Try a lower learning rate, gradient clipping, or batch normalisation, then reset.`;
    $('banner').hidden = false;
  } else if (status.state === 'no_data') {
    state.playing = false;
  }
  const s = state.settings;
  const e = pg.lastEpoch();
  if (state.playing && s.max_epochs > 0 && pg.epoch >= s.max_epochs) {
    state.playing = false;
    notice(`Stopped after ${pg.epoch} epochs.`);
  }
  if (state.playing && s.target_acc > 0 && e && e.test_acc !== null && e.test_acc * 100 >= s.target_acc) {
    state.playing = false;
    notice(`Reached ${(e.test_acc * 100).toFixed(1)} % test accuracy at epoch ${e.epoch}.`);
  }
  state.dirty = true;
}

function hover(p) {
  state.hover = p;
  state.dirty = true;
}

function pick(x, y, { remove, other }) {
  if (state.settings.dataset !== 'custom') {
    if (views.pick(x, y)) state.dirty = true;
    return;
  }
  const pg = state.pg;
  if (remove) {
    pg.removeNearest(x, y);
  } else {
    const label = other ? 1 - state.drawClass : state.drawClass;
    // Every fifth drawn point is held out for testing.
    try {
      pg.addPoint(x, y, label, pg.len() % 5 === 4);
    } catch (e) {
      notice(e.message, 'warn');
    }
  }
  state.lastEpoch = -1;
  state.dirty = true;
}

function hoverText() {
  const p = state.hover;
  if (!p) return '';
  const b = state.bounds;
  const col = Math.min(GRID - 1, Math.max(0, Math.floor(((p.x - b.xMin) / (b.xMax - b.xMin)) * GRID)));
  const row = Math.min(GRID - 1, Math.max(0, Math.floor(((b.yMax - p.y) / (b.yMax - b.yMin)) * GRID)));
  const probs = state.pg.gridProbs();
  const k = probs.length / (GRID * GRID);
  let text = `x ${p.x.toFixed(2)}, y ${p.y.toFixed(2)}`;
  if (k === 1) text += ` · P(class 1) = ${fmt(probs[row * GRID + col])}`;
  else if (k > 1) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[(row * GRID + col) * k + c] > probs[(row * GRID + col) * k + best]) best = c;
    text += ` · class ${best}, P = ${fmt(probs[(row * GRID + col) * k + best])}`;
  }
  return text;
}

function render(now) {
  const pg = state.pg;
  const s = state.settings;
  const status = pg.status();
  const refresh = !state.playing || !reducedMotion.matches || now - state.lastBoundary > 250;
  if (refresh && status.state !== 'diverged') {
    const b = state.bounds;
    if (state.snapshot) pg.gridAt(state.snapshot.weights, GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
    else pg.grid(GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
    state.lastBoundary = now;
  }
  $('snapshot-note').hidden = !state.snapshot;
  if (state.snapshot) $('snapshot-note').textContent = `Showing the boundary at epoch ${state.snapshot.epoch} (timeline).`;
  // Views are taken after every call for this frame: any call may have grown memory.
  plot.draw({
    bounds: state.bounds,
    grid: status.state === 'diverged' ? null : { n: GRID, rgba: pg.gridRgba() },
    points: pg.points(),
    labels: pg.labels(),
    testFlags: pg.testFlags(),
    batch: pg.batchIndices(),
    showTest: s.show_test,
  });
  $('hover').textContent = hoverText();
  if (!state.firstDrawn) {
    // Time from navigation to the first boundary on screen (a performance budget).
    state.firstDrawn = true;
    performance.mark('first-boundary');
  }
  if (pg.epoch !== state.lastEpoch) {
    state.lastEpoch = pg.epoch;
    const x = pg.history('epoch');
    const css = getComputedStyle(document.body);
    const train = css.getPropertyValue('--series-train').trim();
    const test = css.getPropertyValue('--series-test').trim();
    lossChart.update({
      x,
      series: [
        { name: 'train loss', color: train, values: pg.history('train_loss') },
        { name: 'test loss', color: test, values: pg.history('test_loss'), dash: true },
      ],
    });
    accChart.update({
      x: pg.history('epoch'),
      series: [
        { name: 'train accuracy', color: train, values: pg.history('train_acc') },
        { name: 'test accuracy', color: test, values: pg.history('test_acc'), dash: true },
      ],
    });
    const e = pg.lastEpoch();
    $('train-loss').textContent = fmt(e?.train_loss);
    $('test-loss').textContent = fmt(e?.test_loss);
    $('train-acc').textContent = e ? `${(e.train_acc * 100).toFixed(1)} %` : '–';
    $('test-acc').textContent = e && e.test_acc !== null ? `${(e.test_acc * 100).toFixed(1)} %` : '–';
  }
  controls.update(s, { playing: state.playing, epoch: pg.epoch, steps: pg.steps, lr: pg.lr, classes: pg.nClasses() });
  views.update();
  $('empty-hint').hidden = !(s.dataset === 'custom' && pg.len() === 0);
  document.body.dataset.epoch = String(pg.epoch);
  document.body.dataset.playing = String(state.playing);
}

function frame(now) {
  if (state.playing) {
    const speed = state.settings.speed;
    state.pg.stepFor(FRAME_BUDGET_MS, speed > 0 ? speed : undefined);
    afterSteps();
  }
  views.frame(now);
  if (state.dirty || state.playing) {
    render(now);
    state.dirty = false;
  }
  requestAnimationFrame(frame);
}

function drawThumbnails() {
  const css = getComputedStyle(document.body);
  const colours = [0, 1, 2].map((c) => css.getPropertyValue(`--class-${c}`).trim());
  for (const kind of ['moons', 'circles', 'xor', 'gaussians', 'spiral', 'spiral3', 'tutorial', 'custom']) {
    const c = controls.thumbCanvas(kind);
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    if (kind === 'custom') {
      ctx.fillStyle = colours[0];
      ctx.font = '28px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('✎', c.width / 2, c.height / 2);
      continue;
    }
    const p = new state.wasm.Playground({ seed: 1, dataset: { kind, n_samples: 160, noise: 0.1 } });
    const pts = p.points();
    const labels = p.labels();
    const b = boundsOf(pts);
    for (let i = 0; i < labels.length; i++) {
      ctx.fillStyle = colours[labels[i]];
      const x = ((pts[2 * i] - b.xMin) / (b.xMax - b.xMin)) * c.width;
      const y = (1 - (pts[2 * i + 1] - b.yMin) / (b.yMax - b.yMin)) * c.height;
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
    p.free();
  }
}

function keyboard(e) {
  const t = e.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
  if (views.key(e)) {
    e.preventDefault();
    return;
  }
  if (e.key === ' ') {
    e.preventDefault();
    action('toggle');
  } else if (e.key === 'ArrowRight') {
    e.preventDefault();
    action('step-epoch');
  } else if (e.key === 'r' && !e.ctrlKey && !e.metaKey && !e.altKey) {
    action('reset');
  }
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(location.href);
    notice('Link copied: it reproduces every setting.');
  } catch {
    const field = $('link-field');
    field.hidden = false;
    field.value = location.href;
    field.select();
    notice('Copy the selected link.');
  }
}

/**
 * When framed, tells the parent page how tall the playground is, whenever that
 * changes: only `{ type, height }` is sent, and nothing is ever received.
 */
function postHeightWhenFramed() {
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'backprop-playground:height', height }, '*');
  };
  new ResizeObserver(send).observe(document.body);
  send();
}

async function main() {
  state.wasm = await bindings;
  const { settings, problems } = decodeHash(location.hash);
  state.settings = settings;
  controls = mountControls($('controls'), { change, action });
  $('run-slot').append(controls.runPanel);
  plot = mountPlot($('plot'), { hover, pick });
  lossChart = mountChart($('loss-chart'), { yLabel: 'loss', log: false, readout: $('chart-readout') });
  accChart = mountChart($('acc-chart'), { yLabel: 'accuracy', yMin: 0, yMax: 1, readout: $('chart-readout') });
  $('log-loss').addEventListener('change', (e) => lossChart.setLog(e.target.checked));
  $('banner-reset').addEventListener('click', () => { action('reset'); });
  $('copy-link').addEventListener('click', copyLink);

  if (!rebuild()) {
    state.settings = defaults();
    rebuild();
  }
  views = mountViews($('views'), {
    wasm: state.wasm,
    run: () => state.pg,
    settings: () => state.settings,
    bounds: () => state.bounds,
    changed: () => { state.lastEpoch = -1; state.dirty = true; },
    showSnapshot: (snap) => { state.snapshot = snap; state.dirty = true; },
    shownSnapshot: () => state.snapshot,
    change,
  });
  if (problems.length) {
    notice(`Some settings in the link were not understood and use their defaults: ${problems.join('; ')}.`, 'warn', true);
  }
  writeHash();
  drawThumbnails();
  document.addEventListener('keydown', keyboard);
  for (const q of ['(prefers-color-scheme: dark)']) {
    matchMedia(q).addEventListener('change', () => { drawThumbnails(); state.lastEpoch = -1; state.dirty = true; });
  }
  window.addEventListener('hashchange', () => {
    const next = decodeHash(location.hash);
    if (encodeHash(next.settings) === encodeHash(state.settings)) return;
    state.settings = next.settings;
    if (next.problems.length) notice(`Some settings in the link use their defaults: ${next.problems.join('; ')}.`, 'warn', true);
    rebuild();
  });
  postHeightWhenFramed();
  requestAnimationFrame(frame);
  // For the curious (and the tests): the live run and a copy of the settings, from the console.
  window.backprop = Object.freeze({ run: () => state.pg, settings: () => structuredClone(state.settings) });
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const p = $('status');
  if (p) p.textContent = `The playground could not start: ${e.message}`;
});

