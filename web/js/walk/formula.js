// A node's formula with the live numbers plugged in, for the hover readout:
// z = Σ a·w + b, a = f(z), or δ = (Σ w·δ)·f′(z), or δ = ŷ − y. Every term
// is a span that names the link it comes from, so hovering it can light the
// link and its nodes up. Numbers carry 6 significant digits.
import { el } from '../dom.js';
import { unitName } from './questions.js';

const SIG = 6;
const num = (v) => (Number.isFinite(v) ? Number(v.toPrecision(SIG)).toString() : '–');
/** A number inside a sum: negative ones in brackets. */
const term = (v) => (v < 0 ? `(${num(v)})` : num(v));

function line(kind, parts) {
  const p = el('p', { class: 'mono', 'data-line': kind });
  for (const part of parts) {
    if (typeof part === 'string') p.append(part);
    else {
      const s = el('span', { class: 'term', text: part.text });
      s.dataset.layer = String(part.layer);
      s.dataset.from = String(part.from);
      s.dataset.to = String(part.to);
      p.append(s);
    }
  }
  return p;
}

/** Joins terms with " + ". */
function sum(terms) {
  return terms.flatMap((t, k) => (k ? [' + ', t] : [t]));
}

/**
 * The formula lines for the node `{ column, unit, value }` at `stage`.
 * `net`: `{ trace, params, layout, output, activation(l) }`.
 */
export function nodeFormula(node, stage, net) {
  const { trace, params, layout } = net;
  const L = trace.layers.length;
  const { column: c, unit: j } = node;
  const name = unitName(c - 1, j, L, trace.features);
  if (c === 0) return [line('x', [`${name} = ${num(trace.input[j])}`])];
  const l = c - 1;
  const tl = trace.layers[l];
  const lay = layout.layers[l];
  if (node.value && node.value.key === 'delta') {
    if (l === L - 1) {
      const scale = { sigmoid_bce: 1 / lay.n_out, softmax_ce: 1, identity_mse: 2 / lay.n_out }[net.output];
      const s = scale === 1 ? '' : `${num(scale)}·`;
      return [line('delta', [`δ(${name}) = ${s}(ŷ − y) = ${s}(${num(tl.a[j])} − ${num(trace.target[j])}) = ${num(tl.delta[j])}`])];
    }
    const up = layout.layers[l + 1];
    const terms = [];
    for (let k = 0; k < up.n_out; k++) {
      const w = params[up.w + j * up.n_out + k];
      terms.push({ text: `${term(w)}·${term(trace.layers[l + 1].delta[k])}`, layer: l + 1, from: j, to: k });
    }
    return [line('delta', [`δ(${name}) = (Σₖ w·δₖ)·f′(z) = (`, ...sum(terms), `)·${term(tl.f_prime[j])} = ${num(tl.delta[j])}`])];
  }
  const a = l === 0 ? trace.input : trace.layers[l - 1].a;
  const terms = a.map((ai, i) => ({ text: `${term(ai)}·${term(params[lay.w + i * lay.n_out + j])}`, layer: l, from: i, to: j }));
  const bias = params[lay.b + j];
  const f = l === L - 1 ? { sigmoid_bce: 'σ', softmax_ce: 'softmax', identity_mse: 'id' }[net.output] : net.activation(l);
  return [
    line('z', [`z(${name}) = Σᵢ aᵢ·wᵢ + b = `, ...sum(terms), ` + ${term(bias)} = ${num(tl.z[j])}`]),
    line('a', [`a(${name}) = ${f}(${num(tl.z[j])}) = ${num(tl.a[j])}`]),
  ];
}
