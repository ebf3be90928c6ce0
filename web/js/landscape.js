// The loss landscape: the training loss on a plane through the live weights,
// L(θ + a·d₁ + b·d₂), as a heatmap with contour lines, with the run's path
// projected onto it; the loss along the gradient with where this step lands;
// and the optimizer race's paths on one shared plane.
//
// A 41 × 41 slice is 1,681 passes over the training set: too much for one
// frame. The engine computes it a row at a time, and this view spends at most
// BUDGET_MS per animation frame on it (on the main thread, between the
// page's own work), so the page keeps its frame rate; the last complete slice
// stays on screen until the next one is done. A worker would need a second
// copy of the run (the wasm module's memory is not shared), and the slice
// must follow the live weights, so slicing across frames is the simpler way.
//
// `mountLandscape` builds the panel and keeps the view's state in one object
// (`v`), which the named parts below take: the path and the slice jobs, the
// drawing, and the pointer, keyboard and race listeners.
import { el, canvasPoint } from './dom.js';
import { fmt } from './chart.js';
import { labelled, pct } from './i18n.js';

const SIDE = 41; // grid points per side of a slice
const LINE_POINTS = 81; // points of the 1-D slice along the gradient
const BUDGET_MS = 4; // slice computing per animation frame, beside the page's 10 ms of training
const MAX_SNAPSHOTS = 40; // the path's snapshots, thinned like the timeline's
const RACE_SNAPSHOTS = 24; // per run of the race
const RANDOM_REACH = 1; // random directions: a, b in [-1, 1] at least (Li et al.)
const PCA_REACH = 1e-3; // principal directions: fit the path, however short
const CONTOURS = 10; // contour levels across the colour scale
// Viridis, sampled: perceptually even, readable on light and dark pages and in grey.
const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
// Plot geometry in canvas pixels: the square plot, then the colour bar.
const G = { w: 480, h: 410, left: 54, top: 12, size: 350, barX: 418, barW: 12 };

// ---- the panel ----

/** The panel's controls, canvases and notes, appended to `panel`; returns them by name. */
function buildPanel(panel, tr) {
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const dirs = el('select', { id: 'landscape-dirs' }, [
    L('option', 'landscapeRandom', { value: 'random' }),
    L('option', 'landscapePca', { value: 'pca' }),
  ]);
  const seed = el('input', { type: 'number', id: 'landscape-seed', value: '1', min: '0', step: '1' });
  const log = el('input', { type: 'checkbox', id: 'landscape-log', checked: true });
  const about = el('p', { class: 'hint', id: 'landscape-about' });
  const explained = el('p', { class: 'hint', id: 'landscape-explained' });
  const canvas = el('canvas', { width: G.w, height: G.h, id: 'landscape-slice', tabIndex: 0 });
  canvas.setAttribute('aria-label', tr('landscapeCanvas'));
  canvas.dataset.i18nAria = 'landscapeCanvas';
  const hover = el('p', { class: 'hover', id: 'landscape-hover', 'aria-live': 'polite' });
  const lineCanvas = el('canvas', { width: G.w, height: 210, id: 'landscape-line' });
  lineCanvas.setAttribute('aria-label', tr('landscapeLineCanvas'));
  lineCanvas.dataset.i18nAria = 'landscapeLineCanvas';
  const lineNote = el('p', { class: 'hint', id: 'landscape-line-note' });
  const raceCanvas = el('canvas', { width: G.w, height: G.h, id: 'landscape-race' });
  raceCanvas.setAttribute('aria-label', tr('landscapeRaceCanvas'));
  raceCanvas.dataset.i18nAria = 'landscapeRaceCanvas';
  const raceNote = el('p', { class: 'hint', id: 'landscape-race-note' });
  const legend = el('ul', { class: 'legend', id: 'landscape-legend' });
  const raceFigure = el('figure', { hidden: true }, [raceCanvas, legend]);
  panel.append(
    L('h2', 'tabLandscape'),
    L('p', 'landscapeIntro', { class: 'hint' }),
    el('div', { class: 'landscape-grid' }, [
      el('div', {}, [
        el('div', { class: 'field' }, [L('label', 'landscapeDirections', { for: dirs.id }), dirs]),
        el('div', { class: 'field' }, [L('label', 'landscapeSeed', { for: seed.id }), seed]),
        el('div', { class: 'field check' }, [log, L('label', 'landscapeLog', { for: log.id })]),
        about,
        explained,
        L('p', 'landscapeJumpHint', { class: 'hint' }),
      ]),
      el('figure', {}, [canvas, hover]),
      el('div', {}, [L('h3', 'landscapeLineTitle'), lineCanvas, lineNote]),
    ]),
    L('h3', 'landscapeRaceTitle'),
    el('div', { class: 'landscape-race' }, [raceFigure, raceNote]),
  );
  return { dirs, seed, log, about, explained, canvas, hover, lineCanvas, lineNote, raceCanvas, raceNote, legend, raceFigure };
}

// ---- the main slice: the run it follows, its path, the slice job ----

/** Forgets the path and the slices of the previous run: `pg` (a reader) is followed from now on. */
function resetRun(v, pg) {
  v.run = pg;
  v.land?.free();
  v.land = null;
  v.snaps = [];
  v.every = 1;
  v.lastEpoch = -1;
  v.job = null;
  v.shown = null;
  v.wanted = true;
}

/** Keeps a snapshot per epoch (from epoch 0), thinning older ones so the path stays bounded. */
function record(v, pg) {
  if (pg.epoch === v.lastEpoch) return;
  v.lastEpoch = pg.epoch;
  if (pg.epoch % v.every !== 0) return;
  v.snaps.push({ epoch: pg.epoch, weights: pg.snapshot() });
  if (v.snaps.length > MAX_SNAPSHOTS) {
    v.snaps = v.snaps.filter((_, i) => i % 2 === 0 || i === v.snaps.length - 1);
    v.every *= 2;
  }
}

/** The arrays of `list`, each `stride` long, one after another. */
function flat(list, stride) {
  const out = new Float64Array(list.length * stride);
  list.forEach((w, i) => out.set(w, i * stride));
  return out;
}

function seedValue(v) {
  const n = Number(v.seed.value);
  return Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : 1;
}

/** Points the directions at the centre already set: PCA of the path, or seeded random ones. */
function chooseDirections(v, kind, weights) {
  const { land } = v;
  if (kind === 'pca' && weights.length >= 3) {
    try {
      return { kind, explained: land.usePca(flat(weights, weights[0].length), weights[0].length) };
    } catch (e) {
      // Too few distinct snapshots: random directions until the path spans a plane.
      land.useRandom(seedValue(v));
      return { kind: 'random', explained: null, why: e.message };
    }
  }
  land.useRandom(seedValue(v));
  return { kind: 'random', explained: null, why: kind === 'pca' ? v.tr('landscapePcaWait') : null };
}

/** Centres the landscape on the live weights; false (and says why) when it cannot. */
function centreOnRun(v, centre) {
  const { ctx, tr } = v;
  if (!v.land) {
    try {
      v.land = ctx.newLandscape();
    } catch (e) {
      v.about.textContent = tr('landscapeCannot', { why: e.message });
      return false;
    }
  }
  try {
    try {
      v.land.centreOnSnapshot(centre);
    } catch {
      // The run may have been rebuilt with another network at the same epoch: a new landscape.
      v.land.free();
      v.land = ctx.newLandscape();
      v.land.centreOnSnapshot(centre);
    }
  } catch (e) {
    v.about.textContent = tr('landscapeCannot', { why: e.message });
    v.wanted = false;
    return false;
  }
  return true;
}

/** Starts a slice through the live weights, with the path and the gradient line it will show. */
function startMain(v) {
  const centre = v.ctx.run().snapshot();
  if (!centreOnRun(v, centre)) return;
  const { land } = v;
  const chosen = chooseDirections(v, v.dirs.value, v.snaps.map((s) => s.weights));
  let line = null;
  try {
    line = v.ctx.gradientLine(land, LINE_POINTS);
  } catch (e) {
    line = { why: e.message };
  }
  const stride = centre.length;
  const path = land.project(flat(v.snaps.map((s) => s.weights), stride), stride);
  const grid = land.startAround(path, chosen.kind === 'random' ? RANDOM_REACH : PCA_REACH, SIDE);
  v.job = { ...chosen, grid, path, epochs: v.snaps.map((s) => s.epoch), centre, line };
  v.wanted = false;
}

function finishMain(v) {
  const { panel } = v;
  v.shown = { ...v.job, loss: v.land.loss().slice() };
  v.job = null;
  v.slices++;
  panel.dataset.slices = String(v.slices);
  panel.dataset.pathPoints = String(v.shown.path.length / 2);
  panel.dataset.pathLastEpoch = String(v.shown.epochs[v.shown.epochs.length - 1] ?? -1);
  panel.dataset.centreLoss = String(v.shown.loss[(SIDE * SIDE - 1) / 2]);
  draw(v);
}

// ---- the race's slice ----

/** Starts a slice on the plane of the race's pooled principal directions, through every run's path. */
function startRace(v) {
  const r = v.race;
  const stride = r.snaps[0][0].length;
  const pooled = r.snaps.flat();
  try {
    r.explained = r.land.usePca(flat(pooled, stride), stride);
  } catch (e) {
    r.wanted = false;
    v.raceNote.textContent = v.tr('landscapeRaceWait');
    return;
  }
  const paths = r.snaps.map((list) => r.land.project(flat(list, stride), stride));
  const all = new Float64Array(paths.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of paths) {
    all.set(p, at);
    at += p.length;
  }
  const grid = r.land.startAround(all, PCA_REACH, SIDE);
  r.job = { grid, paths };
  r.wanted = false;
}

function finishRace(v) {
  const { race, panel } = v;
  race.shown = { ...race.job, loss: race.land.loss().slice(), explained: race.explained };
  race.job = null;
  panel.dataset.racePaths = String(race.shown.paths.length);
  panel.dataset.racePathPoints = JSON.stringify(race.shown.paths.map((p) => p.length / 2));
  drawRace(v);
}

/** Spends up to BUDGET_MS on the slices in progress, a row at a time. */
function work(v) {
  const until = performance.now() + BUDGET_MS;
  while (performance.now() < until) {
    if (v.job && v.land) {
      if (v.land.computeRows(1)) finishMain(v);
    } else if (v.race?.job) {
      if (v.race.land.computeRows(1)) finishRace(v);
    } else break;
  }
}

/** The race tab announced its runs (see race.js): a landscape for them, and each run's first snapshot. */
function beginRace(v, { race: handle, runs }) {
  v.race?.land.free();
  let raceLand;
  try {
    raceLand = v.ctx.wasm.Landscape.ofRace(handle);
  } catch (err) {
    v.raceNote.textContent = v.tr('landscapeCannot', { why: err.message });
    v.race = null;
    return;
  }
  v.race = { handle, runs, land: raceLand, snaps: runs.map((_, i) => [handle.params(i).slice()]), every: 1, epoch: 0, wanted: true, job: null, shown: null };
  drawRace(v);
}

/** The race trained an epoch: keeps each run's snapshot, thinned like the main path. */
function raceStepped(v, { race: handle, epoch }) {
  const { race } = v;
  if (!race || handle !== race.handle) return;
  if (epoch === race.epoch || epoch % race.every !== 0) return;
  race.epoch = epoch;
  race.snaps.forEach((list, i) => list.push(race.handle.params(i).slice()));
  if (race.snaps[0].length > RACE_SNAPSHOTS) {
    race.snaps = race.snaps.map((list) => list.filter((_, k) => k % 2 === 0 || k === list.length - 1));
    race.every *= 2;
  }
  race.wanted = true;
}

// ---- drawing ----

const css = (c, name, fallback) => getComputedStyle(c).getPropertyValue(name).trim() || fallback;

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((v, k) => Math.round(v + f * (VIRIDIS[i + 1][k] - v)));
}

/** The colour scale of a slice: value → [0, 1], log10 when `useLog` (losses are > 0). */
function scale(loss, useLog) {
  const f = (v) => (useLog ? Math.log10(Math.max(v, 1e-12)) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of loss) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, f(v));
    hi = Math.max(hi, f(v));
  }
  if (!(hi > lo)) hi = lo + 1;
  return { f, lo, hi, t: (v) => (Number.isFinite(v) ? (f(v) - lo) / (hi - lo) : 1), inv: (s) => (useLog ? 10 ** s : s) };
}

const toX = (grid, a) => G.left + ((a - grid.a0) / (grid.a1 - grid.a0)) * G.size;
const toY = (grid, b) => G.top + (1 - (b - grid.b0) / (grid.b1 - grid.b0)) * G.size;
const tick = (v) => (Math.abs(v) < 1e-12 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 100 ? v.toFixed(2) : v.toExponential(1));

/** Heatmap: one pixel per grid point (row 0 is b0, at the bottom), smoothed when scaled up. */
function drawHeatmap(g, loss, s) {
  const img = new ImageData(SIDE, SIDE);
  for (let r = 0; r < SIDE; r++) {
    for (let col = 0; col < SIDE; col++) {
      const [R, Gr, B] = colour(s.t(loss[r * SIDE + col]));
      const p = 4 * ((SIDE - 1 - r) * SIDE + col);
      img.data.set([R, Gr, B, 255], p);
    }
  }
  const off = document.createElement('canvas');
  off.width = SIDE;
  off.height = SIDE;
  off.getContext('2d').putImageData(img, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(off, G.left, G.top, G.size, G.size);
}

/** Contours: marching squares on the scaled values, at even steps of the colour scale. */
function drawContours(g, loss, s) {
  g.strokeStyle = 'rgba(255, 255, 255, 0.55)';
  g.lineWidth = 1;
  g.beginPath();
  const cell = G.size / (SIDE - 1);
  const val = (r, col) => s.t(loss[r * SIDE + col]);
  for (let k = 1; k < CONTOURS; k++) {
    const level = k / CONTOURS;
    for (let r = 0; r < SIDE - 1; r++) {
      for (let col = 0; col < SIDE - 1; col++) {
        const corners = [[col, r, val(r, col)], [col + 1, r, val(r, col + 1)], [col + 1, r + 1, val(r + 1, col + 1)], [col, r + 1, val(r + 1, col)]];
        const cross = [];
        for (let e = 0; e < 4; e++) {
          const [x1, y1, v1] = corners[e];
          const [x2, y2, v2] = corners[(e + 1) % 4];
          if ((v1 < level) !== (v2 < level)) {
            const f = (level - v1) / (v2 - v1);
            cross.push([G.left + (x1 + f * (x2 - x1)) * cell, G.top + G.size - (y1 + f * (y2 - y1)) * cell]);
          }
        }
        for (let i = 0; i + 1 < cross.length; i += 2) {
          g.moveTo(cross[i][0], cross[i][1]);
          g.lineTo(cross[i + 1][0], cross[i + 1][1]);
        }
      }
    }
  }
  g.stroke();
}

/** Axes, in units of the directions. */
function drawAxes(g, grid, { fg, muted }, tr) {
  const { a0, a1, b0, b1 } = grid;
  g.strokeStyle = muted;
  g.strokeRect(G.left, G.top, G.size, G.size);
  g.fillStyle = fg;
  g.font = '12px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  // End ticks lean inwards, so that the two axes' labels do not meet at the corner.
  [['left', a0], ['center', (a0 + a1) / 2], ['right', a1]].forEach(([align, a]) => {
    g.textAlign = align;
    g.fillText(tick(a), toX(grid, a), G.top + G.size + 4);
  });
  g.textAlign = 'center';
  g.fillText(tr('landscapeAxisA'), G.left + G.size / 2, G.top + G.size + 20);
  g.textAlign = 'right';
  [['bottom', b0], ['middle', (b0 + b1) / 2], ['top', b1]].forEach(([baseline, b]) => {
    g.textBaseline = baseline;
    g.fillText(tick(b), G.left - 4, toY(grid, b));
  });
  g.textBaseline = 'middle';
  g.save();
  g.translate(12, G.top + G.size / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.fillText(tr('landscapeAxisB'), 0, 0);
  g.restore();
}

/** Colour bar with values. */
function drawColourBar(g, s, { fg, muted }) {
  for (let y = 0; y < G.size; y++) {
    const [R, Gr, B] = colour(1 - y / G.size);
    g.fillStyle = `rgb(${R}, ${Gr}, ${B})`;
    g.fillRect(G.barX, G.top + y, G.barW, 1);
  }
  g.strokeStyle = muted;
  g.strokeRect(G.barX, G.top, G.barW, G.size);
  g.fillStyle = fg;
  g.textAlign = 'left';
  for (let k = 0; k <= 4; k++) {
    const t = k / 4;
    g.fillText(fmt(s.inv(s.lo + t * (s.hi - s.lo))), G.barX + G.barW + 3, G.top + (1 - t) * G.size);
  }
}

/**
 * Heatmap, contours, axes and colour bar of `slice` ({ grid: [a0, a1, b0, b1], loss })
 * on `c`, log-scaled when `useLog`; returns the grid ({ a0, a1, b0, b1 }) to place marks with.
 */
function drawSlice(c, slice, useLog, tr) {
  const g = c.getContext('2d');
  const colours = { fg: css(c, '--fg', '#1d1d1f'), muted: css(c, '--muted', '#5f6368') };
  g.fillStyle = css(c, '--panel', '#ffffff');
  g.fillRect(0, 0, c.width, c.height);
  const [a0, a1, b0, b1] = slice.grid;
  const grid = { a0, a1, b0, b1 };
  const s = scale(slice.loss, useLog);
  drawHeatmap(g, slice.loss, s);
  drawContours(g, slice.loss, s);
  drawAxes(g, grid, colours, tr);
  drawColourBar(g, s, colours);
  return grid;
}

/** A path of (a, b) pairs with a dot per snapshot. */
function drawPath(g, grid, path, color, halo) {
  g.lineWidth = 2;
  g.strokeStyle = halo;
  g.beginPath();
  for (let i = 0; i < path.length; i += 2) g[i ? 'lineTo' : 'moveTo'](toX(grid, path[i]), toY(grid, path[i + 1]));
  g.stroke();
  g.lineWidth = 1.5;
  g.strokeStyle = color;
  g.stroke();
  g.fillStyle = color;
  for (let i = 0; i < path.length; i += 2) {
    g.beginPath();
    g.arc(toX(grid, path[i]), toY(grid, path[i + 1]), 2.5, 0, 2 * Math.PI);
    g.fill();
  }
}

function ring(g, x, y, color, r = 6) {
  g.lineWidth = 3;
  g.strokeStyle = '#000';
  g.beginPath();
  g.arc(x, y, r, 0, 2 * Math.PI);
  g.stroke();
  g.lineWidth = 2;
  g.strokeStyle = color;
  g.stroke();
}

/** Marks the snapshot the timeline shows on the plane (the present is the centre) and records where. */
function drawMarker(v, g, grid) {
  const snap = v.ctx.shownSnapshot();
  let marker = [0, 0];
  if (snap && v.land && !v.job) {
    const ab = v.land.project(snap.weights, snap.weights.length);
    if (Number.isFinite(ab[0])) {
      marker = [ab[0], ab[1]];
      g.fillStyle = css(v.canvas, '--accent', '#0b6bcb');
      g.beginPath();
      g.arc(toX(grid, ab[0]), toY(grid, ab[1]), 6, 0, 2 * Math.PI);
      g.fill();
      ring(g, toX(grid, ab[0]), toY(grid, ab[1]), '#ffffff', 8);
    }
  }
  v.panel.dataset.marker = marker.map((n) => n.toPrecision(6)).join(',');
  v.panel.dataset.markerEpoch = String(snap ? snap.epoch : v.ctx.run().epoch);
}

/** The main slice on screen with its path, marks and notes, then the gradient line. */
function draw(v) {
  const { shown, canvas, tr, ctx } = v;
  if (!shown) {
    v.about.textContent = tr('landscapeComputing');
    return;
  }
  const grid = drawSlice(canvas, shown, v.log.checked, tr);
  const g = canvas.getContext('2d');
  drawPath(g, grid, shown.path, '#ffffff', 'rgba(0, 0, 0, 0.6)');
  ring(g, toX(grid, 0), toY(grid, 0), '#ffffff', 7);
  drawMarker(v, g, grid);
  if (v.cursor) {
    g.strokeStyle = '#ffffff';
    g.lineWidth = 1;
    const x = toX(grid, v.cursor.a);
    const y = toY(grid, v.cursor.b);
    g.strokeRect(x - 5, y - 5, 10, 10);
  }
  v.about.textContent = tr(shown.kind === 'pca' ? 'landscapeAboutPca' : 'landscapeAboutRandom');
  if (shown.why) v.about.textContent += ` ${shown.why}`;
  v.explained.textContent = shown.explained
    ? tr('landscapeExplained', { first: pct(ctx.lang(), shown.explained[0]), second: pct(ctx.lang(), shown.explained[1]) })
    : '';
  drawLine(v);
}

/** The loss along −g/|g|, with where the optimizer's next step lands. */
function drawLine(v) {
  const { tr, lineNote } = v;
  const line = v.shown.line;
  const c = v.lineCanvas;
  const g = c.getContext('2d');
  g.fillStyle = css(c, '--panel', '#ffffff');
  g.fillRect(0, 0, c.width, c.height);
  if (!line || line.why) {
    lineNote.textContent = line?.why ? tr('landscapeLineNone', { why: line.why }) : '';
    return;
  }
  const fg = css(c, '--fg', '#1d1d1f');
  const box = { left: 54, top: 10, w: 400, h: 160 };
  const finite = line.loss.filter(Number.isFinite);
  const lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!(hi > lo)) hi = lo + 1;
  const t0 = line.t[0];
  const t1 = line.t[line.t.length - 1];
  const x = (t) => box.left + ((t - t0) / (t1 - t0)) * box.w;
  const y = (l) => box.top + (1 - (Math.min(l, hi) - lo) / (hi - lo)) * box.h;
  g.strokeStyle = css(c, '--muted', '#5f6368');
  g.lineWidth = 1;
  g.strokeRect(box.left, box.top, box.w, box.h);
  g.beginPath();
  g.moveTo(x(0), box.top);
  g.lineTo(x(0), box.top + box.h);
  g.stroke();
  g.strokeStyle = css(c, '--accent', '#0b6bcb');
  g.lineWidth = 2;
  g.beginPath();
  line.t.forEach((t, i) => g[i ? 'lineTo' : 'moveTo'](x(t), y(line.loss[i])));
  g.stroke();
  // Where this step lands, and the loss at θ.
  const i0 = line.t.findIndex((t) => t >= 0);
  g.fillStyle = fg;
  g.beginPath();
  g.arc(x(0), y(line.loss[i0]), 4, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = css(c, '--series-test', '#d55e00');
  g.beginPath();
  g.arc(x(line.stepT), y(line.stepLoss), 5, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = fg;
  g.font = '12px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const t of [t0, 0, t1]) g.fillText(tick(t), x(t), box.top + box.h + 4);
  g.fillText(tr('landscapeLineAxis'), box.left + box.w / 2, box.top + box.h + 20);
  g.textAlign = 'right';
  g.textBaseline = 'top';
  g.fillText(fmt(hi), box.left - 4, box.top);
  g.textBaseline = 'bottom';
  g.fillText(fmt(lo), box.left - 4, box.top + box.h);
  const overshoot = line.stepLoss > line.loss[i0];
  lineNote.textContent = tr(overshoot ? 'landscapeLineOver' : 'landscapeLineDown', {
    lr: fmt(line.lr),
    t: fmt(line.stepT),
    from: fmt(line.loss[i0]),
    to: fmt(line.stepLoss),
  });
  v.panel.dataset.stepT = String(line.stepT);
}

/** The race's plane with every run's path and the legend, or a note on why there is none yet. */
function drawRace(v) {
  const { race, tr, ctx } = v;
  if (!race?.shown) {
    v.raceNote.textContent = tr(race ? 'landscapeRaceWait' : 'landscapeRaceNone');
    return;
  }
  v.raceFigure.hidden = false;
  const grid = drawSlice(v.raceCanvas, race.shown, v.log.checked, tr);
  const g = v.raceCanvas.getContext('2d');
  // The shared start first: a path that barely left it (a slow optimizer) stays visible on top.
  ring(g, toX(grid, 0), toY(grid, 0), '#ffffff', 6);
  race.shown.paths.forEach((p, i) => drawPath(g, grid, p, race.runs[i].color, 'rgba(0, 0, 0, 0.6)'));
  v.raceNote.textContent = tr('landscapeRaceAbout', {
    first: pct(ctx.lang(), race.shown.explained[0]),
    second: pct(ctx.lang(), race.shown.explained[1]),
  });
  v.legend.replaceChildren(
    ...race.runs.map((r) => {
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = r.color;
      return el('li', {}, [swatch, el('span', { text: r.name })]);
    }),
  );
}

// ---- pointer and keyboard: read the loss, jump there ----

/** The plane's (a, b) under canvas point `p`, or null outside the slice. */
function planeAt(v, p) {
  if (!v.shown) return null;
  const [a0, a1, b0, b1] = v.shown.grid;
  const u = (p.x - G.left) / G.size;
  const w = 1 - (p.y - G.top) / G.size;
  if (u < 0 || u > 1 || w < 0 || w > 1) return null;
  return { a: a0 + u * (a1 - a0), b: b0 + w * (b1 - b0) };
}

/** The slice's value at the grid point nearest to (a, b). */
function nearestLoss(v, { a, b }) {
  const [a0, a1, b0, b1] = v.shown.grid;
  const col = Math.round(((a - a0) / (a1 - a0)) * (SIDE - 1));
  const r = Math.round(((b - b0) / (b1 - b0)) * (SIDE - 1));
  return v.shown.loss[r * SIDE + col];
}

function showCursor(v, at) {
  v.cursor = at;
  v.hover.textContent = at ? v.tr('landscapeHover', { a: fmt(at.a), b: fmt(at.b), loss: fmt(nearestLoss(v, at)) }) : '';
  if (v.shown) draw(v);
}

/** Sets the live weights to θ + a·d₁ + b·d₂ of the slice on screen (Reset undoes it). */
function jump(v, at) {
  const { shown, land, tr } = v;
  if (!shown || !land) return;
  try {
    // The slice in progress may have moved the centre: go back to the one on screen.
    land.centreOnSnapshot(shown.centre);
    if (shown.kind === 'pca') land.usePca(flat(v.snaps.map((s) => s.weights), shown.centre.length), shown.centre.length);
    else land.useRandom(seedValue(v));
    v.ctx.jumpTo(land, at.a, at.b);
  } catch (e) {
    v.hover.textContent = tr('landscapeCannot', { why: e.message });
    return;
  }
  v.job = null;
  v.wanted = true;
  v.hover.textContent = tr('landscapeJumped', { a: fmt(at.a), b: fmt(at.b) });
  v.panel.dataset.jumps = String(Number(v.panel.dataset.jumps ?? 0) + 1);
}

/** Arrow keys move the cursor a grid step; Enter or Space jumps there. */
function onKey(v, e) {
  if (!v.shown) return;
  const [a0, a1, b0, b1] = v.shown.grid;
  const at = v.cursor ?? { a: 0, b: 0 };
  const step = { a: (a1 - a0) / (SIDE - 1), b: (b1 - b0) / (SIDE - 1) };
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  if (moves[e.key]) {
    const [da, db] = moves[e.key];
    showCursor(v, { a: Math.min(a1, Math.max(a0, at.a + da * step.a)), b: Math.min(b1, Math.max(b0, at.b + db * step.b)) });
  } else if (e.key === 'Enter' || e.key === ' ') {
    jump(v, at);
  } else return;
  e.preventDefault();
  e.stopPropagation();
}

/** The pointer, keyboard and settings listeners, and the race tab's announcements. */
function listen(v) {
  const { canvas, panel } = v;
  canvas.addEventListener('pointermove', (e) => showCursor(v, planeAt(v, canvasPoint(canvas, e))));
  canvas.addEventListener('pointerleave', () => showCursor(v, null));
  canvas.addEventListener('click', (e) => {
    const at = planeAt(v, canvasPoint(canvas, e));
    if (at) jump(v, at);
  });
  canvas.addEventListener('keydown', (e) => onKey(v, e));
  const redo = () => {
    v.job = null;
    v.wanted = true;
  };
  v.dirs.addEventListener('change', redo);
  v.seed.addEventListener('change', redo);
  v.log.addEventListener('change', () => {
    if (v.shown) draw(v);
    drawRace(v);
  });
  // The race tab announces its runs and each epoch (see race.js).
  panel.parentNode.addEventListener('race-begin', (e) => beginRace(v, e.detail));
  panel.parentNode.addEventListener('race-step', (e) => raceStepped(v, e.detail));
}

/** Follows the live run and computes its slice between frames, and the race's when there is one. */
function frame(v, visible) {
  const pg = v.ctx.run();
  if (pg !== v.run || pg.epoch < v.lastEpoch) resetRun(v, pg);
  record(v, pg);
  if (!visible) return;
  if (!v.job && v.wanted) startMain(v);
  if (v.race && !v.race.job && v.race.wanted && !v.job) startRace(v);
  work(v);
  v.panel.dataset.busy = String(Boolean(v.job) || v.wanted || Boolean(v.race?.job));
}

export function mountLandscape(panel, ctx) {
  const v = {
    ctx,
    tr: ctx.tr,
    panel,
    ...buildPanel(panel, ctx.tr),
    // The main slice: the run it follows (its reader), its trajectory, the
    // engine's landscape, the slice in progress and the one on screen.
    run: null,
    land: null,
    snaps: [], // { epoch, weights }
    every: 1,
    lastEpoch: -1,
    wanted: true, // the run or a setting changed since the slice on screen was started
    job: null, // the slice being computed: what it will show once complete
    shown: null, // { grid, loss, path, explained, kind, centre, line }
    cursor: null, // keyboard / hover position on the slice, { a, b }
    slices: 0,
    // The race: its shared landscape and each run's path.
    race: null, // { handle, runs, land, snaps: [[Float64Array]], every, epoch, wanted, job, shown, explained }
  };
  listen(v);
  const redrawAll = () => {
    if (v.shown) draw(v);
    drawRace(v);
  };
  return {
    frame: (_now, visible) => frame(v, visible),
    update(stale) {
      if (stale) v.wanted = true;
      redrawAll();
    },
    freshRun: () => resetRun(v, ctx.run()),
    relabel: redrawAll,
  };
}
