// A small line chart on a canvas: axes with ticks, a legend, an optional log
// scale, and a hover read-out of the epoch and each series' value.
import { ticks } from './plot.js';

const BASE_PAD = { left: 46, right: 10, top: 22, bottom: 26 };

/** The y range to show: the data's (and the guides'), unless `yMin`/`yMax` fix it; never empty. */
function range(data, log, yMin, yMax) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of data.hlines ?? []) {
    if (Number.isFinite(h.y) && (!log || h.y > 0)) { lo = Math.min(lo, h.y); hi = Math.max(hi, h.y); }
  }
  for (const s of data.series) {
    for (const v of s.values) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (yMin !== null) lo = yMin;
  if (yMax !== null) hi = yMax;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [log ? 1e-3 : 0, 1];
  if (hi - lo < 1e-12) {
    hi += log ? hi : 0.5;
    lo -= log ? lo / 2 : 0.5;
  }
  return [lo, hi];
}

/** Legend entries for `series` in rows from the left, after the axis label; returns their positions. */
function legendLayout(ctx, w, yLabel, series) {
  ctx.font = '11px system-ui, sans-serif';
  const items = [];
  let x = ctx.measureText(yLabel).width + 16;
  let row = 0;
  for (const s of series) {
    const width = 16 + ctx.measureText(s.name).width + 12;
    if (x + width > w - 4 && x > 0) {
      row++;
      x = 4;
    }
    items.push({ s, x, y: 4 + row * 14 });
    x += width;
  }
  return { items, rows: row + 1 };
}

/** One series as a line over epochs `xs` (`px`, `py`: data to canvas), broken where a value cannot be shown. */
function drawSeries(ctx, s, xs, px, py, log) {
  const n = xs.length;
  ctx.strokeStyle = s.color;
  ctx.lineWidth = 2;
  ctx.setLineDash(s.dash ? [5, 4] : []);
  ctx.beginPath();
  let started = false;
  for (let i = 0; i < n; i++) {
    const v = s.values[i];
    if (!Number.isFinite(v) || (log && v <= 0)) { started = false; continue; }
    const [x, y] = [px(xs[i]), py(v)];
    if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    started = true;
  }
  ctx.stroke();
  // A single epoch has no line yet: mark it with a dot.
  if (n === 1 && Number.isFinite(s.values[0]) && !(log && s.values[0] <= 0)) {
    ctx.fillStyle = s.color;
    ctx.beginPath();
    ctx.arc(px(xs[0]), py(s.values[0]), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/**
 * Mounts a chart on `canvas`. Returns `{ update(data), setLog(bool) }` where
 * `data = { x: Float64Array, series: [{ name, color, values, dash }], markers?: [x…],
 * hlines?: [{ y, color, label }], vline?: x }`: markers are ticks along the bottom
 * (e.g. clipped epochs), hlines horizontal guides (e.g. a threshold), vline a cursor.
 */
export function mountChart(canvas, { yLabel = '', log = false, yMin = null, yMax = null, readout = null, epochWord = 'epoch' } = {}) {
  let data = { x: [], series: [] };
  let hoverX = null;
  let plotArea = { left: BASE_PAD.left, width: 1 };

  function css(name, fallback) {
    return getComputedStyle(canvas).getPropertyValue(name).trim() || fallback;
  }

  function draw() {
    const ctx = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    const fg = css('--fg', '#222');
    const grid = css('--border', '#ccc');
    ctx.clearRect(0, 0, w, h);
    const legend = legendLayout(ctx, w, yLabel, data.series);
    const PAD = { ...BASE_PAD, top: BASE_PAD.top + (legend.rows - 1) * 14 };
    const pw = w - PAD.left - PAD.right;
    plotArea = { left: PAD.left, width: pw };
    const ph = h - PAD.top - PAD.bottom;
    const xs = data.x;
    const n = xs.length;
    const x0 = n ? xs[0] : 0;
    const x1 = n > 1 ? xs[n - 1] : x0 + 1;
    const [lo, hi] = range(data, log, yMin, yMax);
    const tf = (v) => (log ? Math.log10(Math.max(v, 1e-300)) : v);
    const [tlo, thi] = [tf(lo), tf(hi)];
    const px = (x) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * pw;
    const py = (v) => PAD.top + (1 - (tf(v) - tlo) / (thi - tlo || 1)) * ph;

    ctx.font = '11px system-ui, sans-serif';
    ctx.strokeStyle = grid;
    ctx.fillStyle = fg;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yt = log
      ? Array.from({ length: Math.floor(thi) - Math.ceil(tlo) + 1 }, (_, i) => 10 ** (Math.ceil(tlo) + i))
      : ticks(lo, hi, 4);
    for (const t of yt) {
      const y = Math.round(py(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD.left, y); ctx.lineTo(PAD.left + pw, y); ctx.stroke();
      ctx.fillText(log ? t.toExponential(0) : Number(t.toPrecision(3)).toString(), PAD.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    // Epochs are whole numbers: round the ticks and drop repeats.
    const xt = [...new Set(ticks(x0, x1, 5).map(Math.round))].filter((t) => t >= x0 && t <= x1);
    for (const t of xt) {
      const x = Math.round(px(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, PAD.top); ctx.lineTo(x, PAD.top + ph); ctx.stroke();
      ctx.fillText(String(Math.round(t)), x, PAD.top + ph + 5);
    }
    ctx.strokeStyle = fg;
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, pw, ph);
    ctx.textAlign = 'left';
    ctx.fillText(yLabel, 4, 4);

    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, pw, ph);
    ctx.clip();
    for (const s of data.series) drawSeries(ctx, s, xs, px, py, log);
    for (const h of data.hlines ?? []) {
      const y = py(h.y);
      ctx.strokeStyle = h.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([2, 3]);
      ctx.beginPath(); ctx.moveTo(PAD.left, y); ctx.lineTo(PAD.left + pw, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = h.color;
      ctx.textAlign = 'left';
      ctx.fillText(h.label ?? '', PAD.left + 4, y - 12);
    }
    ctx.fillStyle = css('--danger-fg', '#c00');
    for (const m of data.markers ?? []) ctx.fillRect(px(m) - 1, PAD.top + ph - 7, 2, 7);
    if (data.vline !== undefined && data.vline !== null) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(px(data.vline), PAD.top); ctx.lineTo(px(data.vline), PAD.top + ph); ctx.stroke();
    }
    ctx.restore();
    ctx.setLineDash([]);

    // Legend, in rows along the top.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    for (const { s, x, y } of legend.items) {
      ctx.fillStyle = s.color;
      ctx.fillRect(x, y + 5, 12, 3);
      ctx.fillStyle = fg;
      ctx.fillText(s.name, x + 16, y);
    }

    if (hoverX !== null && n) {
      const t = x0 + ((hoverX - PAD.left) / pw) * (x1 - x0);
      let i = 0;
      while (i < n - 1 && xs[i + 1] <= t) i++;
      const x = px(xs[i]);
      ctx.strokeStyle = fg;
      ctx.beginPath(); ctx.moveTo(x, PAD.top); ctx.lineTo(x, PAD.top + ph); ctx.stroke();
      if (readout) {
        readout.textContent = `${epochWord} ${xs[i]}: ` + data.series.map((s) => `${s.name} ${fmt(s.values[i])}`).join(', ');
      }
    }
  }

  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    hoverX = ((e.clientX - r.left) / r.width) * canvas.width;
    draw();
  });
  canvas.addEventListener('pointerleave', () => {
    hoverX = null;
    if (readout) readout.textContent = '';
    draw();
  });

  return {
    update(next) {
      // Copies: the arrays may be views over wasm memory, which a later call can
      // detach, while this chart redraws on hover at any time.
      data = {
        ...next,
        x: Float64Array.from(next.x),
        series: next.series.map((s) => ({ ...s, values: Float64Array.from(s.values) })),
      };
      draw();
    },
    setLog(v) {
      log = v;
      draw();
    },
    /** New axis wording (after a language switch). */
    setLabels(labels) {
      if (labels.yLabel !== undefined) yLabel = labels.yLabel;
      if (labels.epochWord !== undefined) epochWord = labels.epochWord;
      draw();
    },
    redraw: draw,
  };
}

export function fmt(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a < 1 ? 4 : 3);
}
