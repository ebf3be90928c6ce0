// The walk-through's predict-then-reveal templates (web/js/walk/questions.js)
// against the engine, in Node with the built site's package: on many random
// networks and points, each template's right answer is checked by other
// means than the numbers it was made from —
//   - the output's δ sign: a centred finite difference of the point's loss
//     in the output bias (∂L/∂b = δ);
//   - which hidden unit's δ is exactly zero: nudging that unit's bias leaves
//     the point's loss bit-identical, and nudging a live one changes it;
//   - the number of chain-rule paths: counted by walking every path;
//   - which way the weight moves and whether the loss goes down: one real
//     step on the point (`stepOnSample`), then the weight and the loss;
//   - which chain-rule path contributes most: a forward pass of this file's
//     own (checked against the engine's loss), in which a nudge of the
//     weight reaches the output along one path only, differentiated
//     numerically per path;
//   - whether the boundary moves towards or away from the point: that same
//     forward pass's output at the point, before and after a real step.
// Also: every walk-through message exists in both languages. Fails unless every template
// was checked on enough cases (dead units need ReLU networks that have them).
// Usage: node tests/node/questions.mjs [networks]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { questionFor, TEMPLATES, movingWeight } from '../../web/js/walk/questions.js';
import { loadAllLangs, STRINGS } from '../../web/js/i18n.js';

await loadAllLangs();

// The engine: the package `cargo xtask pkg` builds (BACKPROP_PKG_DIR), or
// the built site's copy (BACKPROP_SITE_DIR, default target/dist). Missing, it fails.
const [dir, name] = process.env.BACKPROP_PKG_DIR
  ? [pathToFileURL(`${process.env.BACKPROP_PKG_DIR}/`), 'backprop_wasm']
  : [process.env.BACKPROP_SITE_DIR ? pathToFileURL(`${process.env.BACKPROP_SITE_DIR}/`) : new URL('../../target/dist/', import.meta.url), 'backprop-wasm'];
let wasm;
try {
  wasm = await import(new URL(`${name}.js`, dir));
  await wasm.default({ module_or_path: readFileSync(new URL(`${name}_bg.wasm`, dir)) });
} catch (e) {
  throw new Error(`no engine package in ${dir.pathname} (cargo xtask pkg, or cargo xtask dist): ${e.message}`);
}

const networks = Number(process.argv[2] ?? 60);
// This file's forward pass against the engine's loss: the same float64
// operations in another order, a few ulps apart in z; a loss near 0 (a
// confident, right output) is ≈ e^−|z| and carries z's absolute error as a
// relative one, a few parts in 10¹² at |z| ≈ 12.
const FORWARD_REL = 1e-9;
// The top path must beat the next by this fraction to be told apart by a
// central difference (its error, about H² times the third derivative, is far smaller).
const PATH_GAP = 1e-4;
// A finite difference's step: large enough that a live unit's loss changes
// in float64, small enough that no dead ReLU comes alive (|z| ≫ 1e-4 is checked).
const H = 1e-4;

let state = 7;
const rand = () => {
  // mulberry32: reproducible
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const ACTIVATE = {
  relu: (z) => Math.max(z, 0),
  tanh: Math.tanh,
  leaky_relu: (z, slope) => (z > 0 ? z : slope * z),
};

/**
 * This file's own forward pass for one point, from the parameters, to its
 * loss. With a weight `w` and a `path` (a unit per layer from the first), the
 * weight is nudged by `h` and the nudge reaches the output along that path
 * only: every other link carries the unnudged value. The numerical slope in
 * `h` is then that path's term of the chain rule.
 */
function gatedLoss(net, w, path, h) {
  return lossOf(net.layout.output, logits(net, w, path, h), net.target);
}

/** The output layer's z of `gatedLoss`'s forward pass. */
function logits(net, w, path, h) {
  const { layout, params, slope, input } = net;
  const L = layout.layers.length;
  let a = input;
  let nudged = a; // the values the path carries, equal to `a` off the path
  for (let l = 0; l < L; l++) {
    const { n_in: nIn, n_out: nOut, w: at, b } = layout.layers[l];
    const z = [];
    const zPath = [];
    for (let k = 0; k < nOut; k++) {
      let sum = params[b + k];
      for (let j = 0; j < nIn; j++) sum += a[j] * params[at + j * nOut + k];
      z.push(sum);
      let onPath = sum;
      if (path && path[l] === k) {
        if (l === 0) onPath += h * input[w.from];
        else onPath += (nudged[path[l - 1]] - a[path[l - 1]]) * params[at + path[l - 1] * nOut + k];
      }
      zPath.push(onPath);
    }
    if (l === L - 1) return zPath;
    const f = ACTIVATE[layout.activations[l]];
    a = z.map((v) => f(v, slope));
    nudged = zPath.map((v) => f(v, slope));
  }
  throw new Error('no layers');
}

/** The mean loss of one point's logits `z`, computed stably (the engine's formulas). */
function lossOf(output, z, target) {
  if (output === 'softmax_ce') {
    const top = Math.max(...z);
    const lse = top + Math.log(z.reduce((s, v) => s + Math.exp(v - top), 0));
    return lse - z[target.indexOf(1)];
  }
  return Math.max(z[0], 0) - z[0] * target[0] + Math.log1p(Math.exp(-Math.abs(z[0])));
}

/** ŷ of one sigmoid output, from this file's forward pass. */
function forwardOutput(net) {
  return 1 / (1 + Math.exp(-logits(net, null, null, 0)[0]));
}

/** Whether any hidden unit's z lies within `h` (times a margin) of a kink at 0. */
const nearKink = (trace, h) => trace.layers.slice(0, -1).some((l) => l.z.some((v) => Math.abs(v) < 1e3 * h));

const walkKeys = (lang) => Object.keys(STRINGS[lang]).filter((k) => k.startsWith('walk')).sort().join();
if (walkKeys('en') !== walkKeys('zh')) throw new Error('walk-through messages differ between English and Chinese');

const checked = Object.fromEntries(TEMPLATES.map((t) => [t.id, 0]));
const fail = (msg) => {
  throw new Error(msg);
};

for (let n = 0; n < networks; n++) {
  const layers = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => 1 + Math.floor(rand() * 6));
  const settings = {
    dataset: pick(['moons', 'circles', 'xor', 'spiral', 'spiral3', 'gaussians']),
    n: 60,
    seed: Math.floor(rand() * 1000),
    layers,
    activation: pick(['relu', 'relu', 'tanh', 'leaky_relu']),
    lr: pick([0.01, 0.1, 1, 5]),
  };
  const pg = wasm.Playground.fromSettings(settings);
  const epochs = Math.floor(rand() * 4);
  if (epochs) pg.stepEpochs(epochs);
  const layout = pg.layout();
  const L = layout.layers.length;
  const flags = pg.testFlags();
  for (let k = 0; k < 5; k++) {
    const point = Math.floor(rand() * flags.length);
    if (flags[point] !== 0) continue;
    const trace = pg.trace(point);
    const facts = { trace, layout, output: layout.output, lr: pg.lr, lossBefore: trace.loss, lossAfter: pg.lossAfterStep(point) };
    const ctx = `network ${n} ${JSON.stringify(settings)} point ${point}`;
    const params = () => Array.from(pg.params());
    const lossWith = (i, v) => pg.sampleLoss(point, i, v);

    // Output δ's sign against ∂L/∂b of that output unit.
    const sign = questionFor({ kind: 'loss' }, facts, 'en');
    const out = layout.output === 'softmax_ce' ? trace.label : 0;
    const b = layout.layers[L - 1].b + out;
    const bias = params()[b];
    const fd = (lossWith(b, bias + H) - lossWith(b, bias - H)) / (2 * H);
    // A saturated output (a loss flat in float64) tells nothing by nudging: skip such points.
    if (Math.abs(fd) <= 1e-6) continue;
    const want = fd > 0 ? 'positive' : 'negative';
    if (sign.answer.join() !== want) fail(`${ctx}: output-sign says ${sign.answer}, the loss's slope is ${fd}`);
    checked['output-sign']++;

    // Dead units of each hidden layer above the first, against bias nudges.
    for (let l = 1; l < L - 1; l++) {
      const q = questionFor({ kind: 'backward', layer: l }, facts, 'en');
      if (q.id !== 'dead-unit') fail(`${ctx}: backward ${l} asks ${q.id}`);
      const z = trace.layers[l].z;
      if (z.some((v) => Math.abs(v) < 10 * H)) continue; // a nudge could cross the kink
      const dead = [];
      for (let j = 0; j < z.length; j++) {
        const i = layout.layers[l].b + j;
        const v = params()[i];
        const base = lossWith(i, v);
        if (lossWith(i, v + H) === base && lossWith(i, v - H) === base) dead.push(String(j));
      }
      const want = dead.length ? dead : ['none'];
      if (q.answer.join() !== want.join()) fail(`${ctx}: dead-unit says ${q.answer}, bias nudges say ${want}`);
      checked['dead-unit']++;
    }

    // Paths from a first-layer weight to the output, walked one by one.
    if (L > 1) {
      const q = questionFor({ kind: 'backward', layer: 0 }, facts, 'en', 'path-count');
      const walk = (l) => (l === L ? 1 : Array.from({ length: layout.layers[l].n_out }, () => walk(l + 1)).reduce((a, c) => a + c, 0));
      const want = String(walk(1));
      if (q.answer.join() !== want) fail(`${ctx}: path-count says ${q.answer}, walking gives ${want}`);
      if (!q.options.some(([id]) => id === want)) fail(`${ctx}: path-count offers no right option`);
      checked['path-count']++;
    }

    // This file's own forward pass must give the engine's loss, or nothing it says counts.
    const net = { layout, params: params(), slope: pg.config().network.leaky_slope, input: trace.input, target: trace.target };
    const mine = gatedLoss(net, null, null, 0);
    if (!(Math.abs(mine - trace.loss) <= FORWARD_REL * Math.abs(trace.loss))) fail(`${ctx}: the test's forward gives ${mine}, the engine ${trace.loss}`);

    // Which path contributes most: each path's share of ∂L/∂w by a nudge that only it carries.
    const most = questionFor({ kind: 'backward', layer: 0 }, { ...facts, params: params() }, 'en', 'path-most');
    if (most) {
      const w = movingWeight(facts);
      const sizes = most.options.map(([id]) => {
        const path = id.split('-').map(Number);
        return Math.abs((gatedLoss(net, w, path, H) - gatedLoss(net, w, path, -H)) / (2 * H));
      });
      const order = [...sizes].sort((a, b) => b - a);
      // Two paths too close to tell apart numerically, or a kink within the nudge: skip.
      if (order[0] - order[1] > PATH_GAP * order[0] && !nearKink(trace, H)) {
        const want = most.options[sizes.indexOf(order[0])][0];
        if (most.answer.join() !== want) fail(`${ctx}: path-most says ${most.answer}, nudging each path says ${want} (${sizes})`);
        checked['path-most']++;
      }
    }

    // The update: take the step for real.
    const q = questionFor({ kind: 'update' }, facts, 'en', 'weight-move');
    const boundary = questionFor({ kind: 'update' }, facts, 'en', 'boundary-move');
    const w = movingWeight(facts);
    const before = params()[w.index];
    const lossBefore = pg.sampleLoss(point);
    const outBefore = forwardOutput(net);
    const lossAfter = pg.stepOnSample(point);
    const outAfter = forwardOutput({ ...net, params: params() });
    if (boundary) {
      // Seen at the point: the boundary comes closer when the point's output
      // does, or when the point changes side.
      const m0 = outBefore - 0.5;
      const m1 = outAfter - 0.5;
      const want = Math.sign(m0) === Math.sign(m1) && Math.abs(m1) > Math.abs(m0) ? 'away' : 'towards';
      if (m1 !== m0) {
        if (boundary.answer.join() !== want) fail(`${ctx}: boundary-move says ${boundary.answer}, the output went ${outBefore} → ${outAfter}`);
        checked['boundary-move']++;
      }
    }
    const moved = params()[w.index] - before;
    if (moved !== 0 && lossAfter !== lossBefore) {
      const want = `${moved > 0 ? 'up' : 'down'}-${lossAfter < lossBefore ? 'down' : 'up'}`;
      if (q.answer.join() !== want) fail(`${ctx}: weight-move says ${q.answer}, the step gave ${want}`);
      checked['weight-move']++;
    }
    for (const lang of ['en', 'zh']) {
      const withParams = { ...facts, params: net.params };
      for (const [s, id] of [[{ kind: 'loss' }, 'output-sign'], [{ kind: 'update' }, 'weight-move'], [{ kind: 'update' }, 'boundary-move'], [{ kind: 'backward', layer: 0 }, 'path-most']]) {
        const text = questionFor(s, withParams, lang, id);
        if (text && (!text.explain(true) || !text.explain(false))) fail(`${ctx}: an empty explanation of ${id} in ${lang}`);
      }
    }
  }
  pg.free();
}

const minimum = Math.floor(networks / 2);
for (const [id, count] of Object.entries(checked)) {
  if (count < minimum) fail(`template ${id} checked on only ${count} cases (want ≥ ${minimum})`);
}
console.log(`questions: every template agrees with the engine: ${JSON.stringify(checked)}`);
