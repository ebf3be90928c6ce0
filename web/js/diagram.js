// The network as a diagram: each neuron is a small heatmap of its own output
// over the input plane; links are coloured by sign and thick by magnitude.
// Hover a link for its live value and gradient; click it to edit the weight.
import { el } from './dom.js';
import { canvasPoint, nearestSegment } from './dom.js';
import { fmt } from './chart.js';
import { labelled } from './i18n.js';

const N = 20; // heatmap cells per side per neuron
const POS = [0, 114, 178]; // positive: blue
const NEG = [230, 159, 0]; // negative: orange
const MID = [246, 246, 246];

function mix(t) {
  const c = t >= 0 ? POS : NEG;
  const a = Math.min(1, Math.abs(t));
  return MID.map((m, i) => Math.round(m + a * (c[i] - m)));
}

/** Where each neuron's square goes on `canvas`, column by column, for layer sizes `sizes`. */
function geometry(canvas, sizes) {
  const cols = sizes.length;
  const maxUnits = Math.max(...sizes);
  const node = Math.max(8, Math.min(40, Math.floor((canvas.height - 20) / maxUnits) - 4));
  // The inputs' names sit left of their squares.
  const left = 60;
  const gapX = (canvas.width - left - 20 - node) / (cols - 1);
  return sizes.map((n, c) => {
    const total = n * (node + 4);
    const top = (canvas.height - total) / 2;
    return Array.from({ length: n }, (_, j) => ({ x: left + c * gapX, y: top + j * (node + 4), size: node }));
  });
}

/**
 * Draws the neurons at `nodes` with `g`: each input feature's heatmap from
 * `inputs` (N×N per feature), then every unit's own heatmap from `values`
 * (N×N per unit, the run's neuron grids), each scaled to its largest
 * magnitude, the output's probabilities as they are.
 */
function drawNeurons(g, nodes, layout, values, inputs) {
  const img = g.createImageData(N, N);
  const off = document.createElement('canvas');
  off.width = N;
  off.height = N;
  const put = (fill, at) => {
    for (let k = 0; k < N * N; k++) {
      const [r, gg, bb] = fill(k);
      img.data.set([r, gg, bb, 255], 4 * k);
    }
    off.getContext('2d').putImageData(img, 0, 0);
    g.drawImage(off, at.x, at.y, at.size, at.size);
    g.strokeStyle = 'rgba(0,0,0,0.4)';
    g.lineWidth = 1;
    g.strokeRect(at.x + 0.5, at.y + 0.5, at.size, at.size);
  };
  const scaled = (grid, base) => {
    let scale = 1e-9;
    for (let k = 0; k < N * N; k++) scale = Math.max(scale, Math.abs(grid[base + k]));
    return (k) => mix(grid[base + k] / scale);
  };
  layout.features.forEach((_, p) => put(scaled(inputs, p * N * N), nodes[0][p]));
  let unit = 0;
  const last = layout.sizes.length - 2;
  layout.layers.forEach((l, li) => {
    for (let j = 0; j < l.n_out; j++, unit++) {
      const base = unit * N * N;
      const isProb = li === last && layout.output !== 'identity_mse';
      put(isProb ? (k) => mix(values[base + k] * 2 - 1) : scaled(values, base), nodes[li + 1][j]);
    }
  });
}

export function mountDiagram(panel, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const canvas = el('canvas', { width: 900, height: 420, id: 'diagram' });
  canvas.setAttribute('aria-label', tr('diagramLabel'));
  canvas.dataset.i18nAria = 'diagramLabel';
  const readout = el('p', { class: 'hover', id: 'diagram-readout' });
  const editValue = el('input', { type: 'number', step: 'any', id: 'diagram-edit' });
  editValue.setAttribute('aria-label', tr('newWeight'));
  editValue.dataset.i18nAria = 'newWeight';
  const editApply = L('button', 'setWeight', { type: 'button', id: 'diagram-apply' });
  const editor = el('div', { class: 'field', hidden: true }, [el('label', { for: editValue.id, id: 'diagram-edit-label', text: tr('weight') }), editValue, editApply]);
  panel.append(
    L('h2', 'tabNetwork'),
    L('p', 'diagramHint', { class: 'hint' }),
    canvas,
    readout,
    editor,
  );
  readout.textContent = tr('diagramReadout');
  let links = [];
  let nodesAt = []; // per column, the neuron squares of the last draw
  let hovered = null;
  let editing = null;

  function draw() {
    const pg = ctx.run();
    const layout = pg.layout();
    const sizes = layout.sizes;
    const b = ctx.bounds();
    pg.neuronGrids(N, b.xMin, b.xMax, b.yMin, b.yMax);
    const values = pg.neuronGridValues();
    const params = pg.params();
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, canvas.width, canvas.height);
    const nodes = geometry(canvas, sizes);
    nodesAt = nodes;
    // Links first, under the neurons.
    links = [];
    let maxW = 1e-9;
    for (const l of layout.layers) for (let i = 0; i < l.n_in * l.n_out; i++) maxW = Math.max(maxW, Math.abs(params[l.w + i]));
    layout.layers.forEach((l, li) => {
      for (let p = 0; p < l.n_in; p++) {
        for (let j = 0; j < l.n_out; j++) {
          const index = l.w + p * l.n_out + j;
          const w = params[index];
          const a = nodes[li][p];
          const z = nodes[li + 1][j];
          const link = { x1: a.x + a.size, y1: a.y + a.size / 2, x2: z.x, y2: z.y + z.size / 2, index, layer: li, from: p, to: j };
          links.push(link);
          g.strokeStyle = `rgb(${(w >= 0 ? POS : NEG).join(',')})`;
          g.globalAlpha = hovered && hovered.index === index ? 1 : 0.75;
          g.lineWidth = hovered && hovered.index === index ? 4 : 0.4 + 3.5 * (Math.abs(w) / maxW);
          g.beginPath(); g.moveTo(link.x1, link.y1); g.lineTo(link.x2, link.y2); g.stroke();
        }
      }
    });
    g.globalAlpha = 1;
    drawNeurons(g, nodes, layout, values, pg.neuronGridInputs());
    g.fillStyle = getComputedStyle(canvas).color;
    g.font = '13px sans-serif';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    layout.features.forEach((name, p) => g.fillText(tr(`v_${name}`), nodes[0][p].x - 6, nodes[0][p].y + nodes[0][p].size / 2));
    showHovered();
  }

  function showHovered() {
    if (!hovered) return;
    const pg = ctx.run();
    if (hovered.bias !== undefined) {
      const b = pg.params()[hovered.index];
      const g = pg.grads()[hovered.index];
      const name = hovered.layer === pg.layout().layers.length - 1 ? tr('seriesOutput') : `h${hovered.layer + 1}.${hovered.bias + 1}`;
      readout.textContent = tr('biasReadout', { name, b: fmt(b), g: fmt(g) });
      readout.dataset.weight = String(b);
      return;
    }
    const w = pg.params()[hovered.index];
    const grad = pg.grads()[hovered.index];
    const to = hovered.layer === pg.layout().layers.length - 1 ? tr('seriesOutput') : `h${hovered.layer + 1}.${hovered.to + 1}`;
    const from = hovered.layer === 0 ? tr(`v_${pg.layout().features[hovered.from]}`) : `h${hovered.layer}.${hovered.from + 1}`;
    readout.textContent = tr('weightReadout', { from, to, w: fmt(w), g: fmt(grad) });
    readout.dataset.weight = String(w);
  }

  function nearest(e) {
    const { x, y } = canvasPoint(canvas, e);
    // A neuron (past the inputs) stands for its bias.
    const layers = ctx.run().layout().layers;
    for (let c = 1; c < nodesAt.length; c++) {
      const j = nodesAt[c].findIndex((n) => x >= n.x && x <= n.x + n.size && y >= n.y && y <= n.y + n.size);
      if (j >= 0) return { index: layers[c - 1].b + j, layer: c - 1, bias: j };
    }
    return nearestSegment(links, x, y, 6);
  }

  canvas.addEventListener('pointermove', (e) => {
    const l = nearest(e);
    if (l?.index !== hovered?.index) {
      hovered = l;
      draw();
    }
  });
  canvas.addEventListener('click', (e) => {
    const l = nearest(e);
    if (!l) return;
    editing = l;
    editor.hidden = false;
    ctx.find('diagram-edit-label').textContent =
      l.bias !== undefined
        ? tr('editBias', { u: l.bias + 1, l: l.layer + 1 })
        : tr('editWeight', { from: l.layer === 0 ? tr(`v_${ctx.run().layout().features[l.from]}`) : `h${l.layer}.${l.from + 1}`, u: l.to + 1, l: l.layer + 1 });
    editValue.value = String(ctx.run().params()[l.index]);
    editValue.focus();
  });
  editApply.addEventListener('click', () => {
    if (!editing) return;
    try {
      ctx.setParam(editing.index, Number(editValue.value));
      draw();
    } catch (err) {
      readout.textContent = err.message;
    }
  });

  return {
    /** Called by the views host when what this view shows may have changed. */
    update(stale) {
      if (stale) draw();
    },
  };
}
