// The main view: the decision boundary as a heatmap (RGBA computed in wasm),
// the points on top (training filled, test hollow, the current mini-batch
// ringed), axes in data units, a hover read-out, and pointer input for
// drawing your own data.

const MARGIN = { left: 40, right: 12, top: 12, bottom: 32 };

/** A padded square window around the points (a curve's at (x, value)): `{ xMin, xMax, yMin, yMax }`. */
export function boundsOf(points, values = null) {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    // A curve's points are drawn at (x, value).
    const y = values ? values[i / 2] : points[i + 1];
    xMin = Math.min(xMin, points[i]); xMax = Math.max(xMax, points[i]);
    yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
  }
  if (!Number.isFinite(xMin)) return { xMin: -2, xMax: 2, yMin: -2, yMax: 2 };
  const cx = (xMin + xMax) / 2, cy = (yMin + yMax) / 2;
  const half = Math.max(xMax - xMin, yMax - yMin, 0.5) / 2 * 1.15;
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function ticks(lo, hi, count = 6) {
  const raw = (hi - lo) / count;
  if (!(raw > 0)) return [lo];
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return out;
}

function css(el, name, fallback) {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Draws one marker: class 0 a circle, 1 a square, 2 a triangle; hollow for test points. */
function marker(ctx, cls, x, y, r, hollow) {
  ctx.beginPath();
  if (cls === 1) ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
  else if (cls === 2) { ctx.moveTo(x, y - r * 1.1); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); }
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  if (hollow) {
    ctx.save();
    ctx.lineWidth = 2;
    ctx.strokeStyle = ctx.fillStyle;
    ctx.stroke();
    ctx.restore();
  } else {
    ctx.fill();
    ctx.stroke();
  }
}

/**
 * Mounts the view on `canvas`. Actions flow up through `on.hover(x, y)` (data
 * coordinates, or null) and `on.pick(x, y, event)` (a click or long press).
 */
export function mountPlot(canvas, on) {
  const image = document.createElement('canvas');
  let view = null; // the last drawn frame's geometry

  function plotArea() {
    return { x: MARGIN.left, y: MARGIN.top, w: canvas.width - MARGIN.left - MARGIN.right, h: canvas.height - MARGIN.top - MARGIN.bottom };
  }

  function toData(e) {
    if (!view) return null;
    const r = canvas.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * canvas.width;
    const py = ((e.clientY - r.top) / r.height) * canvas.height;
    const a = view.area;
    if (px < a.x || px > a.x + a.w || py < a.y || py > a.y + a.h) return null;
    const b = view.bounds;
    return { x: b.xMin + ((px - a.x) / a.w) * (b.xMax - b.xMin), y: b.yMax - ((py - a.y) / a.h) * (b.yMax - b.yMin) };
  }

  canvas.addEventListener('pointermove', (e) => on.hover(toData(e)));
  canvas.addEventListener('pointerleave', () => on.hover(null));
  let press = null;
  canvas.addEventListener('pointerdown', (e) => {
    const p = toData(e);
    if (!p) return;
    // A long press (touch) removes the nearest point, like alt/ctrl-click.
    press = { p, timer: setTimeout(() => { on.pick(p.x, p.y, { remove: true }); press = null; }, 550) };
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!press) return;
    clearTimeout(press.timer);
    const { p } = press;
    press = null;
    on.pick(p.x, p.y, { remove: e.altKey || e.ctrlKey || e.metaKey, other: e.shiftKey });
  });
  canvas.addEventListener('pointercancel', () => { if (press) clearTimeout(press.timer); press = null; });

  /**
   * Draws a frame. `frame = { bounds, grid: { n, rgba } | null, points, labels,
   * testFlags, batch, showTest, marked }`; `grid.rgba` is a view of n*n*4 bytes,
   * `marked` the index of a point to ring (or null).
   */
  function draw(frame) {
    const ctx = canvas.getContext('2d');
    const area = plotArea();
    const b = frame.bounds;
    view = { area, bounds: b };
    const fg = css(canvas, '--fg', '#222');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = css(canvas, '--panel', '#fff');
    ctx.fillRect(area.x, area.y, area.w, area.h);
    if (frame.grid) {
      const { n, rgba } = frame.grid;
      if (image.width !== n) { image.width = n; image.height = n; }
      const bytes = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, n * n * 4);
      image.getContext('2d').putImageData(new ImageData(bytes, n, n), 0, 0);
      ctx.save();
      ctx.imageSmoothingEnabled = true;
      ctx.globalAlpha = 0.85;
      ctx.drawImage(image, area.x, area.y, area.w, area.h);
      ctx.restore();
    }
    const px = (x) => area.x + ((x - b.xMin) / (b.xMax - b.xMin)) * area.w;
    const py = (y) => area.y + (1 - (y - b.yMin) / (b.yMax - b.yMin)) * area.h;

    // Axes.
    ctx.save();
    ctx.strokeStyle = 'rgba(128, 128, 128, 0.35)';
    ctx.fillStyle = fg;
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(b.xMin, b.xMax)) {
      const x = Math.round(px(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, area.y); ctx.lineTo(x, area.y + area.h); ctx.stroke();
      ctx.fillText(Number(t.toPrecision(3)).toString(), x, area.y + area.h + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(b.yMin, b.yMax)) {
      const y = Math.round(py(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(area.x, y); ctx.lineTo(area.x + area.w, y); ctx.stroke();
      ctx.fillText(Number(t.toPrecision(3)).toString(), area.x - 6, y);
    }
    ctx.strokeStyle = fg;
    ctx.strokeRect(area.x + 0.5, area.y + 0.5, area.w, area.h);
    ctx.restore();

    if (frame.values) {
      drawValues(ctx, frame, px, py, fg);
      return;
    }
    // Points.
    const colours = [0, 1, 2].map((c) => css(canvas, `--class-${c}`, '#888'));
    const { points, labels, testFlags } = frame;
    const r = labels.length > 2000 ? 2.5 : 3.5;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    for (let i = 0; i < labels.length; i++) {
      const test = testFlags[i] === 1;
      if (test && !frame.showTest) continue;
      ctx.fillStyle = colours[labels[i]] ?? fg;
      marker(ctx, labels[i], px(points[2 * i]), py(points[2 * i + 1]), r, test);
    }
    // The current mini-batch (unless it is the whole training set).
    const batch = frame.batch;
    if (batch && batch.length && batch.length < labels.length - countTest(testFlags)) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 1.5;
      for (let k = 0; k < batch.length; k++) {
        const i = batch[k];
        ctx.beginPath();
        ctx.arc(px(points[2 * i]), py(points[2 * i + 1]), r + 3, 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
    // The point the open view follows (the walk-through's): a wide ring in the
    // text colour around one in the background's, which shows on either class.
    const m = frame.marked;
    if (m !== null && m !== undefined && m < labels.length) {
      const [x, y] = [px(points[2 * m]), py(points[2 * m + 1])];
      for (const [colour, width] of [[fg, 5], [css(canvas, '--panel', '#fff'), 2]]) {
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.arc(x, y, r + 7, 0, 2 * Math.PI);
        ctx.stroke();
      }
      canvas.dataset.marked = `${m}:${x.toFixed(1)}:${y.toFixed(1)}:${r + 7}`; // point, centre, radius (canvas pixels)
    } else delete canvas.dataset.marked;
    ctx.restore();
  }

  return { draw };
}

/** The colour of `v` on a scale from `lo` (class 0's orange) through grey to `hi` (class 1's blue). */
function valueColour(v, lo, hi) {
  const t = hi > lo ? Math.max(-1, Math.min(1, (2 * (v - lo)) / (hi - lo) - 1)) : 0;
  const end = t < 0 ? [230, 159, 0] : [0, 114, 178];
  const mix = (c, n) => Math.round(n + Math.abs(t) * (c - n));
  return `rgb(${mix(end[0], 200)}, ${mix(end[1], 200)}, ${mix(end[2], 200)})`;
}

/**
 * Regression points. 2-D: each point coloured by its value. A curve
 * (`frame.curve = { xs, ys }`): the points at (x, value), the network's
 * curve over them, and each training point's residual as a segment.
 */
function drawValues(ctx, frame, px, py, fg) {
  const { points, values, testFlags, curve } = frame;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const r = values.length > 2000 ? 2.5 : 3.5;
  ctx.save();
  ctx.lineWidth = 1;
  if (curve) {
    const at = (x) => {
      const i = Math.round(((x - curve.xs[0]) / (curve.xs[curve.xs.length - 1] - curve.xs[0])) * (curve.xs.length - 1));
      return curve.ys[Math.max(0, Math.min(curve.ys.length - 1, i))];
    };
    ctx.strokeStyle = 'rgba(204, 51, 51, 0.7)';
    for (let i = 0; i < values.length; i++) {
      if (testFlags[i] === 1) continue;
      const x = points[2 * i];
      ctx.beginPath(); ctx.moveTo(px(x), py(values[i])); ctx.lineTo(px(x), py(at(x))); ctx.stroke();
    }
  }
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
  for (let i = 0; i < values.length; i++) {
    const test = testFlags[i] === 1;
    if (test && !frame.showTest) continue;
    ctx.fillStyle = valueColour(values[i], lo, hi);
    const y = curve ? values[i] : points[2 * i + 1];
    marker(ctx, 0, px(points[2 * i]), py(y), r, test);
  }
  if (curve) {
    ctx.strokeStyle = fg;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    curve.xs.forEach((x, i) => (i ? ctx.lineTo(px(x), py(curve.ys[i])) : ctx.moveTo(px(x), py(curve.ys[i]))));
    ctx.stroke();
  }
  ctx.restore();
}

function countTest(flags) {
  let n = 0;
  for (let i = 0; i < flags.length; i++) n += flags[i];
  return n;
}
