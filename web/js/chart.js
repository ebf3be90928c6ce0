// A small line chart on a canvas: axes with ticks, a legend, an optional log
// scale, and a hover read-out of the epoch and each series' value.
import { ticks } from './plot.js';

const PAD = { left: 46, right: 10, top: 22, bottom: 26 };

/**
 * Mounts a chart on `canvas`. Returns `{ update(data), setLog(bool) }` where
 * `data = { x: Float64Array, series: [{ name, color, values, dash }] }`.
 */
export function mountChart(canvas, { yLabel = '', log = false, yMin = null, yMax = null, readout = null } = {}) {
  let data = { x: [], series: [] };
  let hoverX = null;

  function css(name, fallback) {
    return getComputedStyle(canvas).getPropertyValue(name).trim() || fallback;
  }

  function range() {
    let lo = Infinity;
    let hi = -Infinity;
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

  function draw() {
    const ctx = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    const fg = css('--fg', '#222');
    const grid = css('--border', '#ccc');
    ctx.clearRect(0, 0, w, h);
    const pw = w - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;
    const xs = data.x;
    const n = xs.length;
    const x0 = n ? xs[0] : 0;
    const x1 = n > 1 ? xs[n - 1] : x0 + 1;
    const [lo, hi] = range();
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
    for (const s of data.series) {
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
    }
    ctx.restore();
    ctx.setLineDash([]);

    // Legend, top right.
    let lx = PAD.left + pw - 6;
    ctx.textAlign = 'right';
    for (const s of [...data.series].reverse()) {
      const label = s.name;
      ctx.fillStyle = fg;
      ctx.fillText(label, lx, 5);
      lx -= ctx.measureText(label).width + 4;
      ctx.fillStyle = s.color;
      ctx.fillRect(lx - 12, 9, 12, 3);
      lx -= 22;
    }

    if (hoverX !== null && n) {
      const t = x0 + ((hoverX - PAD.left) / pw) * (x1 - x0);
      let i = 0;
      while (i < n - 1 && xs[i + 1] <= t) i++;
      const x = px(xs[i]);
      ctx.strokeStyle = fg;
      ctx.beginPath(); ctx.moveTo(x, PAD.top); ctx.lineTo(x, PAD.top + ph); ctx.stroke();
      if (readout) {
        readout.textContent = `epoch ${xs[i]}: ` + data.series.map((s) => `${s.name} ${fmt(s.values[i])}`).join(', ');
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
      data = next;
      draw();
    },
    setLog(v) {
      log = v;
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
