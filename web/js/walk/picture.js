// The walk-through's picture: the network for one point. Links are coloured
// by sign and thickened by magnitude, as in the network view: the weights in
// the forward steps, the gradient flow δ·a in the backward ones. The layer a
// step is about is drawn at full strength and the rest dimmed; every node
// carries its value (inside when it fits, beside it otherwise).

export const POS = [0, 114, 178]; // positive: blue (the network view's)
export const NEG = [230, 159, 0]; // negative: orange
const DIM = 0.18; // alpha of the layers a step is not about
const SHOWN = 0.9;

/** Node centres per column and their radius, for a `width × height` canvas. */
export function nodeLayout(sizes, width, height) {
  const maxN = Math.max(...sizes);
  const r = Math.max(5, Math.min(20, (height - 20) / maxN / 2 - 2));
  const gapX = (width - 80) / (sizes.length - 1);
  const pos = sizes.map((n, c) =>
    Array.from({ length: n }, (_, j) => ({ x: 40 + c * gapX, y: height / 2 + (j - (n - 1) / 2) * (2 * r + 4) })),
  );
  return { pos, r };
}

/** The column (0 = input) a stage is about, or −1 for the update (all of them). */
export function activeColumn(stage, layers) {
  if (stage.kind === 'forward' || stage.kind === 'backward') return stage.layer + 1;
  if (stage.kind === 'loss') return layers;
  return -1;
}

/** What each node shows at `stage`: `{ key, value }` (a, δ or the input) or null (not computed yet). */
export function nodeValue(stage, trace, c, j) {
  if (c === 0) return { key: 'x', value: trace.input[j] };
  const l = c - 1;
  const tl = trace.layers[l];
  if (stage.kind === 'forward' && l > stage.layer) return null;
  if (stage.kind === 'backward' && l >= stage.layer) return { key: 'delta', value: tl.delta[j] };
  return { key: 'a', value: tl.a[j] };
}

/**
 * The value each link of layer `li` shows at `stage`: the weight, or the
 * gradient δ·a once backward has reached it. `weights(index)` gives a
 * weight (the update step tweens it).
 */
function linkValue(stage, trace, li, p, j, nOut, weights, index) {
  if (stage.kind === 'backward' && li >= stage.layer) return { kind: 'grad', value: trace.layers[li].dw[p * nOut + j] };
  return { kind: 'w', value: weights(index) };
}

const rgb = (c) => `rgb(${c.join(',')})`;

/**
 * Draws the picture; returns the links (with geometry, index, value) and nodes
 * for hit-testing. `opts`: `{ stage, trace, layout, weights(index), chosen,
 * lit: { layer, from, to } | null, hidden: column whose values wait for an
 * answer, or −1, colours: { fg, border, accent, panel }, flow: progress 0…1
 * of δ flowing back along the backward step's links, or null }`.
 */
export function drawPicture(canvas, opts) {
  const { stage, trace, layout, weights, chosen, lit, hidden, colours, flow } = opts;
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const L = trace.layers.length;
  const sizes = [trace.input.length, ...trace.layers.map((l) => l.a.length)];
  const { pos, r } = nodeLayout(sizes, canvas.width, canvas.height);
  const active = activeColumn(stage, L);
  const links = [];
  layout.layers.forEach((l, li) => {
    // Widths are relative to the largest magnitude in the layer, so small gradients stay visible.
    const vals = [];
    for (let p = 0; p < l.n_in; p++) {
      for (let j = 0; j < l.n_out; j++) vals.push(linkValue(stage, trace, li, p, j, l.n_out, weights, l.w + p * l.n_out + j));
    }
    const max = Math.max(1e-12, ...vals.map((v) => Math.abs(v.value)));
    const on = active === -1 || li + 1 === active || (stage.kind === 'backward' && li >= stage.layer);
    for (let p = 0; p < l.n_in; p++) {
      for (let j = 0; j < l.n_out; j++) {
        const { kind, value } = vals[p * l.n_out + j];
        const a = pos[li][p];
        const b = pos[li + 1][j];
        const index = l.w + p * l.n_out + j;
        const colour = value >= 0 ? POS : NEG;
        links.push({ x1: a.x, y1: a.y, x2: b.x, y2: b.y, layer: li, from: p, to: j, index, kind, value, colour: rgb(colour) });
        const isLit = lit && lit.layer === li && lit.from === p && lit.to === j;
        const isChosen = chosen && chosen.index === index;
        g.strokeStyle = isLit || isChosen ? colours.accent : rgb(colour);
        g.globalAlpha = isLit || isChosen ? 1 : on ? SHOWN : DIM;
        g.lineWidth = isLit || isChosen ? 4 : 0.5 + 4 * (Math.abs(value) / max);
        g.beginPath();
        g.moveTo(a.x, a.y);
        g.lineTo(b.x, b.y);
        g.stroke();
        if (flow !== null && flow !== undefined && stage.kind === 'backward' && li === stage.layer) {
          // δ travels from the layer's output side (b) back to its input side (a).
          g.fillStyle = rgb(colour);
          g.beginPath();
          g.arc(b.x + flow * (a.x - b.x), b.y + flow * (a.y - b.y), 2 + 3 * (Math.abs(value) / max), 0, 2 * Math.PI);
          g.fill();
        }
      }
    }
  });
  g.globalAlpha = 1;
  const inside = r >= 13;
  g.font = `${inside ? Math.min(12, r * 0.62) : 10}px system-ui, sans-serif`;
  g.textBaseline = 'middle';
  const nodes = [];
  sizes.forEach((n, c) => {
    for (let j = 0; j < n; j++) {
      const { x, y } = pos[c][j];
      const shown = c === hidden ? null : nodeValue(stage, trace, c, j);
      const tl = c > 0 ? trace.layers[c - 1] : null;
      const dead = stage.kind === 'backward' && c - 1 >= stage.layer && tl && tl.f_prime.length > 0 && tl.f_prime[j] === 0 && c !== hidden;
      const isLit = lit && ((lit.layer + 1 === c && lit.to === j) || (lit.layer === c && lit.from === j));
      nodes.push({ x, y, r, column: c, unit: j, value: shown });
      g.globalAlpha = active === -1 || c === active || (stage.kind === 'backward' && c > active) ? 1 : 0.55;
      g.beginPath();
      g.arc(x, y, r, 0, 2 * Math.PI);
      g.fillStyle = dead ? colours.border : c === active ? colours.accent : colours.panel;
      g.fill();
      g.strokeStyle = isLit ? colours.accent : colours.fg;
      g.lineWidth = isLit ? 3 : 1;
      g.stroke();
      if (dead) {
        g.strokeStyle = '#c0392b';
        g.beginPath();
        g.moveTo(x - r * 0.6, y - r * 0.6);
        g.lineTo(x + r * 0.6, y + r * 0.6);
        g.stroke();
      }
      if (shown) {
        const text = Number(shown.value.toPrecision(2)).toString();
        g.fillStyle = inside && c === active && !dead ? '#fff' : colours.fg;
        g.textAlign = inside ? 'center' : 'left';
        g.fillText(text, inside ? x : x + r + 3, inside ? y : y - r);
      }
    }
  });
  g.globalAlpha = 1;
  return { links, nodes };
}

/** The node under `(x, y)` (canvas pixels), or null. */
export function nodeAt(nodes, x, y) {
  return nodes.find((n) => Math.hypot(n.x - x, n.y - y) <= n.r + 2) ?? null;
}
