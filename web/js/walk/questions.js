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

/** The most paths `pathMost` lists as options (more would not fit as buttons). */
const MAX_PATHS = 6;

/**
 * Every chain-rule path of first-layer weight `w` (see `movingWeight`) to
 * the output, with its contribution: the input it multiplies, then per layer
 * above f′(z) of the unit the path leaves and the weight it takes, then the
 * output's δ. The contributions add up to ∂L/∂w. `[{ units, value }]`, units
 * being the unit index the path visits in each layer from the first.
 */
export function chainPaths(facts, w) {
  const { trace, layout, params } = facts;
  const L = trace.layers.length;
  let paths = [{ units: [w.to], value: trace.input[w.from] }];
  for (let l = 1; l < L; l++) {
    const { w: at, n_out: nOut } = layout.layers[l];
    paths = paths.flatMap(({ units, value }) => {
      const j = units[units.length - 1];
      const leave = value * trace.layers[l - 1].f_prime[j];
      return Array.from({ length: nOut }, (_, k) => ({ units: [...units, k], value: leave * params[at + j * nOut + k] }));
    });
  }
  const delta = trace.layers[L - 1].delta;
  return paths.map(({ units, value }) => ({ units, value: value * delta[units[units.length - 1]] }));
}

/** Which chain-rule path of the moving weight contributes most, asked at the first layer's backward step. */
const pathMost = {
  id: 'path-most',
  stage(s, facts) {
    if (s.kind !== 'backward' || s.layer !== 0 || !facts.params) return false;
    const n = facts.layout.layers.slice(1).reduce((p, l) => p * l.n_out, 1);
    // Every path 0 (a dead unit on the way): no path contributes most.
    return n >= 2 && n <= MAX_PATHS && chainPaths(facts, movingWeight(facts)).some((p) => p.value !== 0);
  },
  make(facts, lang) {
    const w = movingWeight(facts);
    const L = facts.trace.layers.length;
    const paths = chainPaths(facts, w);
    const size = (p) => Math.abs(p.value);
    const top = Math.max(...paths.map(size));
    const name = (p) => p.units.map((j, l) => unitName(l, j, L)).join(' → ');
    const best = paths.filter((p) => size(p) === top);
    const sum = paths.reduce((a, p) => a + p.value, 0);
    return {
      prompt: t(lang, 'walkQMost', { from: unitName(-1, w.from, L), to: unitName(0, w.to, L) }),
      options: paths.map((p) => [p.units.join('-'), name(p)]),
      answer: best.map((p) => p.units.join('-')),
      explain: (right) =>
        t(lang, right ? 'walkEMostRight' : 'walkEMostWrong', {
          path: name(best[0]),
          value: num(best[0].value),
          terms: paths.map((p, i) => (i === 0 ? num(p.value) : p.value < 0 ? `− ${num(-p.value)}` : `+ ${num(p.value)}`)).join(' '),
          sum: num(sum),
        }),
    };
  },
};

/**
 * The smallest relative change of the point's loss for `boundaryMove` to
 * ask: below it, rounding in the loss could hide which way p moved.
 */
const LOSS_CHANGE = 1e-12;

/**
 * Whether the decision boundary (ŷ = 0.5) moves towards the point or away
 * after one step on it, as seen at the point: towards when the point's
 * output comes closer to 0.5 or crosses it. With one sigmoid output the
 * loss is −log p, p the probability of the point's own class, so the loss
 * after the step gives p after it. Asked at the update step.
 */
const boundaryMove = {
  id: 'boundary-move',
  stage: (s, facts) =>
    s.kind === 'update' &&
    facts.output === 'sigmoid_bce' &&
    Number.isFinite(facts.lossAfter) &&
    Math.abs(facts.lossAfter - facts.lossBefore) > LOSS_CHANGE * facts.lossBefore &&
    facts.trace.layers[facts.trace.layers.length - 1].a[0] !== 0.5,
  make(facts, lang) {
    const L = facts.trace.layers.length;
    const yhat = facts.trace.layers[L - 1].a[0];
    const own = facts.trace.target[0] === 1 ? yhat : 1 - yhat;
    const after = Math.exp(-facts.lossAfter);
    const rightSide = own > 0.5;
    const up = facts.lossAfter < facts.lossBefore; // p of its own class grows
    const answer = rightSide === up ? 'away' : 'towards';
    const why = !up ? 'walkWhyOvershoot' : rightSide ? 'walkWhyRightSide' : after > 0.5 ? 'walkWhyCrossed' : 'walkWhyWrongSide';
    return {
      prompt: t(lang, 'walkQBoundary'),
      options: [['towards', 'walkOTowards'], ['away', 'walkOAway']],
      answer: [answer],
      explain: (right) =>
        t(lang, right ? 'walkEBoundaryRight' : 'walkEBoundaryWrong', {
          before: num(own),
          after: num(after),
          dir: t(lang, answer === 'away' ? 'walkAway' : 'walkTowards'),
          why: t(lang, why, { lr: num(facts.lr) }),
        }),
    };
  },
};

export const TEMPLATES = [outputSign, deadUnit, pathCount, pathMost, weightMove, boundaryMove];

/**
 * The question for stage `s`, or null when no template fits. `facts` is
 * `{ trace, layout, params, output, lr, lossBefore, lossAfter }`; options
 * come back as `[id, label]` with labels already in `lang`. Where several
 * templates fit a step, the point picks one (its index modulo their number),
 * so each point asks the same and different points vary. `only` (a template
 * id) asks that template if it fits.
 */
export function questionFor(s, facts, lang, only = null) {
  const fits = TEMPLATES.filter((q) => q.stage(s, facts) && (only === null || q.id === only));
  const template = fits[facts.trace.point % Math.max(1, fits.length)];
  if (!template) return null;
  const q = template.make(facts, lang, s);
  const label = (key) => (/^walkO[A-Z]/.test(key) ? t(lang, key) : key);
  return { id: template.id, ...q, options: q.options.map(([id, key]) => [id, label(key)]) };
}
