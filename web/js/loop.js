// One playground's animation loop: JavaScript owns the clock. Each frame a
// visible playground trains for a slice of time (through the run's API, so
// the stops hold), lets the views and the tour follow, and redraws what
// changed: the boundary, the points, the charts and the figures. It reads
// the run only through `api.run()`.
import { fmt } from './chart.js';
import { boundsOf } from './plot.js';
import { pct } from './i18n.js';

const GRID = 100; // boundary cells per side; the canvas scales the image up
const CURVE_POINTS = 200; // points a curve's prediction is drawn through
const FRAME_BUDGET_MS = 10; // training time per animation frame
/** With reduced motion, the boundary of a playing run is computed at most this often (ms). */
const REDUCED_MOTION_BOUNDARY_MS = 250;
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
/** The datasets whose thumbnails the data panel shows, and how many points each is drawn with. */
const THUMBNAILS = ['moons', 'circles', 'xor', 'gaussians', 'spiral', 'spiral3', 'tutorial', 'custom'];
const THUMBNAIL_POINTS = 160;

/** The value of CSS custom property `name` on the playground (the colours follow the page's scheme). */
function cssVar(p, name) {
  return getComputedStyle(p.ui.container).getPropertyValue(name).trim();
}

/** The read-out under the plot: where the pointer is, and the class the network gives that cell. */
function hoverText(p) {
  const { state } = p;
  const at = state.hover;
  if (!at) return '';
  const b = state.bounds;
  const col = Math.min(GRID - 1, Math.max(0, Math.floor(((at.x - b.xMin) / (b.xMax - b.xMin)) * GRID)));
  const row = Math.min(GRID - 1, Math.max(0, Math.floor(((b.yMax - at.y) / (b.yMax - b.yMin)) * GRID)));
  const probs = p.api.run().gridProbs();
  const k = probs.length / (GRID * GRID);
  let text = `x ${at.x.toFixed(2)}, y ${at.y.toFixed(2)}`;
  const pg = p.api.run();
  if (pg.isCurve()) return text;
  if (pg.hasValues()) return `${text} · ŷ ${fmt(probs[row * GRID + col])}`;
  if (k === 1) text += ` · ${p.tr('pClass1', { p: fmt(probs[row * GRID + col]) })}`;
  else if (k > 1) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[(row * GRID + col) * k + c] > probs[(row * GRID + col) * k + best]) best = c;
    text += ` · ${p.tr('pClass', { c: best, p: fmt(probs[(row * GRID + col) * k + best]) })}`;
  }
  return text;
}

/** The boundary (of the present, or of a timeline snapshot) and the points, on the main plot. */
function drawPlot(p, now) {
  const { state, find } = p;
  const pg = p.api.run();
  const s = state.settings;
  const diverged = pg.status().state === 'diverged';
  const refresh = !state.playing || !reducedMotion.matches || now - state.lastBoundary > REDUCED_MOTION_BOUNDARY_MS;
  const curve = pg.isCurve();
  if (refresh && !diverged && !curve) {
    const b = state.bounds;
    if (state.snapshot) pg.gridAt(state.snapshot.weights, GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
    else pg.grid(GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
    state.lastBoundary = now;
  }
  find('snapshot-note').hidden = !state.snapshot;
  if (state.snapshot) find('snapshot-note').textContent = p.tr('snapshotNote', { epoch: state.snapshot.epoch });
  // Views are taken after every call for this frame: any call may have grown memory.
  // A curve's prediction along x, in place of the heatmap (taken before the views below).
  let line = null;
  if (curve && !diverged) {
    const { xMin, xMax } = state.bounds;
    const ys = pg.curve(CURVE_POINTS, xMin, xMax);
    line = { xs: Array.from(ys, (_, i) => xMin + ((xMax - xMin) * i) / (CURVE_POINTS - 1)), ys };
  }
  p.ui.plot.draw({
    bounds: state.bounds,
    grid: diverged || curve ? null : { n: GRID, rgba: pg.gridRgba() },
    values: pg.hasValues() ? pg.values() : null,
    curve: line,
    points: pg.points(),
    labels: pg.labels(),
    testFlags: pg.testFlags(),
    batch: pg.batchIndices(),
    showTest: s.show_test,
    marked: p.ui.views.marked(),
  });
  find('hover').textContent = hoverText(p);
  if (!state.firstDrawn) {
    // Time from navigation to the first boundary on screen (a performance budget).
    state.firstDrawn = true;
    if (p.hash) performance.mark('first-boundary');
  }
}

/** The loss and accuracy charts, the last epoch's figures, and the `epoch` event (once per epoch record). */
function drawEpoch(p) {
  const { state, find, tr } = p;
  const pg = p.api.run();
  const x = pg.history('epoch');
  const train = cssVar(p, '--series-train');
  const test = cssVar(p, '--series-test');
  p.ui.lossChart.update({
    x,
    series: [
      { name: tr('trainLossSeries'), color: train, values: pg.history('train_loss') },
      { name: tr('testLossSeries'), color: test, values: pg.history('test_loss'), dash: true },
    ],
  });
  p.ui.accChart.update({
    x,
    series: [
      { name: tr('trainAccSeries'), color: train, values: pg.history('train_acc') },
      { name: tr('testAccSeries'), color: test, values: pg.history('test_acc'), dash: true },
    ],
  });
  const e = pg.lastEpoch();
  find('train-loss').textContent = fmt(e?.train_loss);
  find('test-loss').textContent = fmt(e?.test_loss);
  if (pg.hasValues()) {
    // Regression: R² in place of accuracy.
    find('train-acc').textContent = e && e.train_r2 !== null ? `R² ${fmt(e.train_r2)}` : '–';
    find('test-acc').textContent = e && e.test_r2 !== null ? `R² ${fmt(e.test_r2)}` : '–';
  } else {
    find('train-acc').textContent = e ? pct(p.lang(), e.train_acc) : '–';
    find('test-acc').textContent = e && e.test_acc !== null ? pct(p.lang(), e.test_acc) : '–';
  }
  // Once per epoch record of this run: a redraw (language, colours) repeats none,
  // and a run reset and trained before its first frame reports its epoch.
  if (e && (state.emitted.run !== pg || state.emitted.epoch !== e.epoch)) {
    state.emitted = { run: pg, epoch: e.epoch };
    p.emit('epoch', e);
  }
}

/** Everything a frame shows: the plot, the charts when the epoch moved, the controls, the open view. */
function render(p, now) {
  const { state, find } = p;
  const pg = p.api.run();
  const s = state.settings;
  drawPlot(p, now);
  if (pg.epoch !== state.drawnEpoch) {
    state.drawnEpoch = pg.epoch;
    drawEpoch(p);
  }
  p.ui.controls.update(s, { playing: state.playing, epoch: pg.epoch, steps: pg.steps, lr: pg.lr, classes: pg.nClasses() });
  p.ui.views.update();
  find('empty-hint').hidden = !(s.dataset === 'custom' && pg.len() === 0);
  for (const target of p.hash ? [p.host, document.body] : [p.host]) {
    target.dataset.epoch = String(pg.epoch);
    target.dataset.playing = String(state.playing);
  }
}

/**
 * Draws the data panel's dataset thumbnails from small runs of their own, in
 * the page's current class colours (again when the colour scheme changes).
 */
export function drawThumbnails(p) {
  const colours = [0, 1, 2].map((c) => cssVar(p, `--class-${c}`));
  for (const kind of THUMBNAILS) {
    const c = p.ui.controls.thumbCanvas(kind);
    const g = c.getContext('2d');
    g.clearRect(0, 0, c.width, c.height);
    if (kind === 'custom') {
      g.fillStyle = colours[0];
      g.font = '28px system-ui, sans-serif';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText('✎', c.width / 2, c.height / 2);
      continue;
    }
    const thumb = new p.wasm.Playground({ seed: 1, dataset: { kind, n_samples: THUMBNAIL_POINTS, noise: 0.1 } });
    const pts = thumb.points();
    const labels = thumb.labels();
    const b = boundsOf(pts);
    for (let i = 0; i < labels.length; i++) {
      g.fillStyle = colours[labels[i]];
      const x = ((pts[2 * i] - b.xMin) / (b.xMax - b.xMin)) * c.width;
      const y = (1 - (pts[2 * i + 1] - b.yMin) / (b.yMax - b.yMin)) * c.height;
      g.fillRect(x - 1.5, y - 1.5, 3, 3);
    }
    thumb.free();
  }
}

/**
 * Starts the loop of playground `p` (`state`, `api`, `ui`, `find`, `tr`,
 * `lang`, `emit`, `host`, `hash`, `wasm`). The first frame runs now rather
 * than at the next vsync, so the boundary is drawn as soon as the
 * playground exists; each frame then asks for the next until
 * `state.alive` is false.
 */
export function startLoop(p) {
  const { state } = p;
  function frame(now) {
    if (!state.alive) return;
    // Off-screen playgrounds neither train nor draw (a page of embeds stays cool).
    if (state.visible) {
      p.api.trainFor(FRAME_BUDGET_MS);
      p.ui.views.frame(now);
      p.ui.diagnosis?.frame();
      p.ui.tour?.update();
      if (state.dirty || state.playing) {
        render(p, now);
        state.dirty = false;
      }
      if (!state.thumbsDrawn) {
        // After the first boundary is on screen: eight small runs, not on the critical path.
        state.thumbsDrawn = true;
        setTimeout(() => drawThumbnails(p), 0);
      }
    }
    requestAnimationFrame(frame);
  }
  frame(performance.now());
}
