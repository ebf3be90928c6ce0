// Predict, then reveal: before a step shows its numbers, a question about
// them, made from the live network and point. Each template reads only the
// engine's numbers (the trace, the parameters, the loss after a step) and
// returns its right answer; tests/node/questions.mjs checks every template's
// answer against the engine by other means (finite differences, real steps)
// on many random networks and points. No DOM here.
import { t } from '../i18n.js';

const num = (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : '–');

/** How the walk-through writes each input feature (the engine's names). */
const INPUT_SYMBOLS = { x1: 'x₁', x2: 'x₂', x1_sq: 'x₁²', x2_sq: 'x₂²', x1_x2: 'x₁x₂', sin_x1: 'sin x₁', sin_x2: 'sin x₂' };

/** The name of unit `index` of layer `layer` (−1 is the input, whose names are `features`, the trace's). */
export function unitName(layer, index, layers, features = ['x1', 'x2']) {
  if (layer < 0) return INPUT_SYMBOLS[features[index]] ?? `x${index + 1}`;
  return layer === layers - 1 ? (index === 0 ? 'ŷ' : `ŷ${index + 1}`) : `h${layer + 1}.${index + 1}`;
}

/** The output unit a question about "the output's δ" means: the label's for softmax. */
function outputUnit(facts) {
  return facts.output === 'softmax_ce' ? facts.trace.label : 0;
}

/** Sign of the output's δ, asked at the loss step. */
const outputSign = {
  id: 'output-sign',
  stage: (s) => s.kind === 'loss',
  make(facts, lang) {
    const L = facts.trace.layers.length;
    const j = outputUnit(facts);
    const delta = facts.trace.layers[L - 1].delta[j];
    const answer = delta > 0 ? 'positive' : delta < 0 ? 'negative' : 'zero';
    const yhat = facts.trace.layers[L - 1].a[j];
    const y = facts.trace.target[j];
    const params = {
      yhat: num(yhat),
      y: num(y),
      sign: t(lang, answer === 'positive' ? 'walkOPositive' : answer === 'negative' ? 'walkONegative' : 'walkOZero'),
      dir: t(lang, yhat > y ? 'walkAbove' : yhat < y ? 'walkBelow' : 'walkEqual'),
    };
    return {
      prompt: t(lang, 'walkQSign'),
      options: [['positive', 'walkOPositive'], ['negative', 'walkONegative'], ['zero', 'walkOZero']],
      answer: [answer],
      explain: (right) => t(lang, right ? 'walkESignRight' : 'walkESignWrong', params),
    };
  },
};

/** Which hidden unit's δ is exactly zero, asked at a hidden layer's backward step (not the first layer's). */
const deadUnit = {
  id: 'dead-unit',
  stage: (s, facts) => s.kind === 'backward' && s.layer > 0 && s.layer < facts.trace.layers.length - 1,
  make(facts, lang, s) {
    const L = facts.trace.layers.length;
    const delta = facts.trace.layers[s.layer].delta;
    const names = delta.map((_, j) => unitName(s.layer, j, L));
    const zero = delta.flatMap((d, j) => (d === 0 ? [String(j)] : []));
    return {
      prompt: t(lang, 'walkQDead', { l: s.layer + 1 }),
      options: [...names.map((n, j) => [String(j), n]), ['none', 'walkONone']],
      answer: zero.length ? zero : ['none'],
      explain: (right) =>
        t(lang, right ? 'walkEDeadRight' : 'walkEDeadWrong', {
          units: zero.length ? zero.map((j) => names[j]).join(', ') : t(lang, 'walkUnitsNone'),
        }),
    };
  },
};

/** How many chain-rule paths a first-layer weight has, asked at the first layer's backward step. */
const pathCount = {
  id: 'path-count',
  stage: (s, facts) => s.kind === 'backward' && s.layer === 0 && facts.trace.layers.length > 1,
  make(facts, lang) {
    const widths = facts.layout.layers.slice(1).map((l) => l.n_out);
    const n = widths.reduce((p, w) => p * w, 1);
    const sum = widths.reduce((p, w) => p + w, 0);
    // The distractors are the usual slips: one path, adding the widths, the next layer's width alone.
    const counts = [...new Set([1, n, sum, widths[0]])].sort((a, b) => a - b);
    const L = facts.trace.layers.length;
    return {
      prompt: t(lang, 'walkQPaths', { from: unitName(-1, 0, L, facts.trace.features), to: unitName(0, 0, L) }),
      options: counts.map((c) => [String(c), String(c)]),
      answer: [String(n)],
      explain: (right) => t(lang, right ? 'walkEPathsRight' : 'walkEPathsWrong', { product: widths.join(' × '), n }),
    };
  },
};

/** The first layer's weight with the largest gradient for this point: the one that moves most. */
export function movingWeight(facts) {
  const first = facts.trace.layers[0];
  let best = 0;
  first.dw.forEach((g, k) => {
    if (Math.abs(g) > Math.abs(first.dw[best])) best = k;
  });
  const nOut = first.a.length;
  return { layer: 0, from: Math.floor(best / nOut), to: best % nOut, index: facts.layout.layers[0].w + best, g: first.dw[best] };
}

/** Which way a weight moves and whether the point's loss goes down, asked at the update step. */
const weightMove = {
  id: 'weight-move',
  stage: (s) => s.kind === 'update',
  make(facts, lang) {
    const w = movingWeight(facts);
    const L = facts.trace.layers.length;
    const up = -facts.lr * w.g > 0;
    const lower = facts.lossAfter < facts.lossBefore;
    const answer = `${up ? 'up' : 'down'}-${lower ? 'down' : 'up'}`;
    return {
      prompt: t(lang, 'walkQMove', { from: unitName(-1, w.from, L, facts.trace.features), to: unitName(0, w.to, L), g: num(w.g) }),
      options: [['up-down', 'walkOUpDown'], ['up-up', 'walkOUpUp'], ['down-down', 'walkODownDown'], ['down-up', 'walkODownUp']],
      answer: [answer],
      weight: w,
      explain: (right) =>
        t(lang, right ? 'walkEMoveRight' : 'walkEMoveWrong', {
          g: num(w.g),
          dir: t(lang, up ? 'walkUp' : 'walkDown'),
          before: num(facts.lossBefore),
          after: num(facts.lossAfter),
          why: lower ? '' : t(lang, 'walkWhyUp', { lr: num(facts.lr) }),
        }),
    };
  },
};

export const TEMPLATES = [outputSign, deadUnit, pathCount, weightMove];

/**
 * The question for stage `s`, or null when no template fits. `facts` is
 * `{ trace, layout, output, lr, lossBefore, lossAfter }`; options come back
 * as `[id, label]` with labels already in `lang`.
 */
export function questionFor(s, facts, lang) {
  const template = TEMPLATES.find((q) => q.stage(s, facts));
  if (!template) return null;
  const q = template.make(facts, lang, s);
  const label = (key) => (/^walkO[A-Z]/.test(key) ? t(lang, key) : key);
  return { id: template.id, ...q, options: q.options.map(([id, key]) => [id, label(key)]) };
}
