// Hidden space: the data and a grid of the input plane, mapped into two
// neurons of a hidden layer — watch the network pull the moons apart.
import { el } from './dom.js';
import { labelled } from './i18n.js';

const LINES = 13; // grid lines per direction
const SAMPLES = 48; // points along each line

/** Fills `sel` with the choices 1…n (values 0…n-1), `selected` chosen. */
function options(sel, n, selected) {
  sel.replaceChildren(...Array.from({ length: n }, (_, k) => el('option', { value: String(k), text: String(k + 1), selected: k === selected })));
}

/** The two units with the largest variance over the data (dead ReLUs have none). */
function mostActive(out, units, first, count) {
  const varOf = (u) => {
    let m = 0;
    let q = 0;
    for (let k = 0; k < count; k++) {
      const v = out[(first + k) * units + u];
      m += v;
      q += v * v;
    }
    m /= Math.max(count, 1);
    return q / Math.max(count, 1) - m * m;
  };
  const order = Array.from({ length: units }, (_, u) => u).sort((a, b) => varOf(b) - varOf(a));
  return [order[0], order[1] ?? order[0]];
}

/**
 * The input plane's grid lines within bounds `b`, sampled: at each of LINES
 * positions a vertical line, then a horizontal one, as flat `[x, y, …]`
 * with SAMPLES points per line.
 */
function planeLines(b) {
  const lines = [];
  for (let k = 0; k < LINES; k++) {
    const t = k / (LINES - 1);
    const x = b.xMin + t * (b.xMax - b.xMin);
    const y = b.yMin + t * (b.yMax - b.yMin);
    for (let s = 0; s < SAMPLES; s++) {
      const u = s / (SAMPLES - 1);
      lines.push(x, b.yMin + u * (b.yMax - b.yMin));
    }
    for (let s = 0; s < SAMPLES; s++) {
      const u = s / (SAMPLES - 1);
      lines.push(b.xMin + u * (b.xMax - b.xMin), y);
    }
  }
  return lines;
}

export function mountHidden(panel, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const layerSel = el('select', { id: 'hidden-layer' });
  const iSel = el('select', { id: 'hidden-i' });
  const jSel = el('select', { id: 'hidden-j' });
  const canvas = el('canvas', { width: 520, height: 520, id: 'hidden-canvas' });
  canvas.setAttribute('aria-label', tr('hiddenLabel'));
  canvas.dataset.i18nAria = 'hiddenLabel';
  const note = el('p', { class: 'hint' });
  panel.append(
    L('h2', 'tabHidden'),
    el('div', { class: 'field' }, [L('label', 'hiddenLayerPick', { for: 'hidden-layer' }), layerSel]),
    el('div', { class: 'field' }, [L('label', 'hiddenI', { for: 'hidden-i' }), iSel, L('label', 'hiddenJ', { for: 'hidden-j' }), jSel]),
    canvas,
    note,
  );
  let shape = '';
  let autoPick = true; // until the learner picks, show the two most active neurons

  function syncSelectors(sizes) {
    const hidden = sizes.slice(1, -1);
    const key = hidden.join(',');
    if (key === shape) return hidden.length > 0;
    shape = key;
    options(layerSel, hidden.length, hidden.length - 1);
    layerSel.querySelectorAll('option').forEach((o, k) => { o.textContent = tr('hiddenOption', { l: k + 1, n: hidden[k] }); });
    const units = hidden[hidden.length - 1] ?? 0;
    options(iSel, units, 0);
    options(jSel, units, Math.min(1, units - 1));
    autoPick = true;
    return hidden.length > 0;
  }

  for (const s of [layerSel, iSel, jSel]) s.addEventListener('change', () => {
    if (s === layerSel) {
      const units = ctx.run().layout().sizes[Number(layerSel.value) + 1];
      options(iSel, units, 0);
      options(jSel, units, Math.min(1, units - 1));
      autoPick = true;
    } else {
      autoPick = false;
    }
    draw();
  });

  function draw() {
    const pg = ctx.run();
    const sizes = pg.layout().sizes;
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, canvas.width, canvas.height);
    if (!syncSelectors(sizes)) {
      note.textContent = tr('hiddenNone');
      return;
    }
    const layer = Number(layerSel.value);
    const units = sizes[layer + 1];
    const b = ctx.bounds();
    // The grid lines of the input plane, sampled, then the data, in one call.
    const lines = planeLines(b);
    const points = pg.points();
    const all = new Float64Array(lines.length + points.length);
    all.set(lines);
    all.set(points, lines.length);
    const out = pg.layerOutputs(all, layer);
    // Views are taken after the call: its allocation may grow memory and detach older ones.
    const labels = pg.labels();
    const n = all.length / 2;
    if (autoPick && units > 1) {
      const [a, c] = mostActive(out, units, lines.length / 2, labels.length);
      iSel.value = String(a);
      jSel.value = String(c);
    }
    const i = Math.min(Number(iSel.value), units - 1);
    const j = Math.min(Number(jSel.value), units - 1);
    // Scale to the data; the grid's far corners can map far away and are clipped.
    let lo = [Infinity, Infinity];
    let hi = [-Infinity, -Infinity];
    for (let r = lines.length / 2; r < n; r++) {
      const v = [out[r * units + i], out[r * units + j]];
      for (const d of [0, 1]) { lo[d] = Math.min(lo[d], v[d]); hi[d] = Math.max(hi[d], v[d]); }
    }
    const pad = 12;
    for (const d of [0, 1]) {
      const extra = 0.08 * Math.max(hi[d] - lo[d], 1e-6);
      lo[d] -= extra;
      hi[d] += extra;
    }
    const span = [Math.max(hi[0] - lo[0], 1e-9), Math.max(hi[1] - lo[1], 1e-9)];
    const px = (r) => pad + ((out[r * units + i] - lo[0]) / span[0]) * (canvas.width - 2 * pad);
    const py = (r) => canvas.height - pad - ((out[r * units + j] - lo[1]) / span[1]) * (canvas.height - 2 * pad);
    const css = getComputedStyle(canvas);
    g.save();
    g.beginPath();
    g.rect(0, 0, canvas.width, canvas.height);
    g.clip();
    g.strokeStyle = css.getPropertyValue('--border').trim();
    g.lineWidth = 1;
    for (let line = 0; line < 2 * LINES; line++) {
      g.beginPath();
      for (let s = 0; s < SAMPLES; s++) {
        const r = line * SAMPLES + s;
        if (s === 0) g.moveTo(px(r), py(r)); else g.lineTo(px(r), py(r));
      }
      g.stroke();
    }
    const first = lines.length / 2;
    for (let k = 0; k < labels.length; k++) {
      g.fillStyle = css.getPropertyValue(`--class-${labels[k]}`).trim();
      g.fillRect(px(first + k) - 2, py(first + k) - 2, 4, 4);
    }
    g.restore();
    note.textContent = tr('hiddenNote', { i: i + 1, j: j + 1, l: layer + 1 });
  }

  return {
    /** Called by the views host when what this view shows may have changed. */
    update(stale) {
      if (stale) draw();
    },
  };
}
