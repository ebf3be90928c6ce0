// The data view: points drawn in data coordinates over axes with ticks.

const MARGIN = { left: 40, right: 12, top: 12, bottom: 32 };

/** Colours and marker shapes per class, read from CSS so themes apply. */
export function classStyles(element) {
  const css = getComputedStyle(element);
  return [0, 1, 2].map((c) => css.getPropertyValue(`--class-${c}`).trim());
}

/** A padded square window around the points: `{ xMin, xMax, yMin, yMax }`. */
export function boundsOf(points) {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    xMin = Math.min(xMin, points[i]); xMax = Math.max(xMax, points[i]);
    yMin = Math.min(yMin, points[i + 1]); yMax = Math.max(yMax, points[i + 1]);
  }
  if (!Number.isFinite(xMin)) return { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  const cx = (xMin + xMax) / 2, cy = (yMin + yMax) / 2;
  const half = Math.max(xMax - xMin, yMax - yMin, 1e-9) / 2 * 1.12;
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/** Maps data coordinates to canvas pixels for `bounds` on `canvas`. */
export function projection(canvas, bounds) {
  const w = canvas.width - MARGIN.left - MARGIN.right;
  const h = canvas.height - MARGIN.top - MARGIN.bottom;
  return {
    plot: { x: MARGIN.left, y: MARGIN.top, w, h },
    px: (x) => MARGIN.left + ((x - bounds.xMin) / (bounds.xMax - bounds.xMin)) * w,
    py: (y) => MARGIN.top + (1 - (y - bounds.yMin) / (bounds.yMax - bounds.yMin)) * h,
  };
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function ticks(lo, hi, count = 6) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return out;
}

function drawAxes(ctx, proj, bounds, fg, grid) {
  const { plot } = proj;
  ctx.save();
  ctx.strokeStyle = grid;
  ctx.fillStyle = fg;
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(bounds.xMin, bounds.xMax)) {
    const x = Math.round(proj.px(t)) + 0.5;
    ctx.beginPath(); ctx.moveTo(x, plot.y); ctx.lineTo(x, plot.y + plot.h); ctx.stroke();
    ctx.fillText(formatTick(t), x, plot.y + plot.h + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks(bounds.yMin, bounds.yMax)) {
    const y = Math.round(proj.py(t)) + 0.5;
    ctx.beginPath(); ctx.moveTo(plot.x, y); ctx.lineTo(plot.x + plot.w, y); ctx.stroke();
    ctx.fillText(formatTick(t), plot.x - 6, y);
  }
  ctx.strokeStyle = fg;
  ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w, plot.h);
  ctx.restore();
}

function formatTick(v) {
  return Number(v.toPrecision(3)).toString();
}

/** Draws one marker: class 0 a circle, class 1 a square, class 2 a triangle. */
function marker(ctx, cls, x, y, r) {
  ctx.beginPath();
  if (cls === 1) ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
  else if (cls === 2) { ctx.moveTo(x, y - r * 1.1); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); }
  else ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

/**
 * Draws axes and the points (`Float64Array [x0, y0, ...]`, `Uint8Array` labels)
 * on `canvas` for the data-space window `bounds`.
 */
export function drawScatter(canvas, points, labels, bounds) {
  const ctx = canvas.getContext('2d');
  const css = getComputedStyle(canvas);
  const fg = css.getPropertyValue('--fg').trim() || '#000';
  const grid = css.getPropertyValue('--border').trim() || '#ccc';
  const colours = classStyles(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const proj = projection(canvas, bounds);
  drawAxes(ctx, proj, bounds, fg, grid);
  ctx.save();
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
  for (let i = 0; i < labels.length; i++) {
    ctx.fillStyle = colours[labels[i]] ?? fg;
    marker(ctx, labels[i], proj.px(points[2 * i]), proj.py(points[2 * i + 1]), 3.5);
  }
  ctx.restore();
}
