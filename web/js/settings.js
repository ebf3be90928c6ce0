// Every setting of the page: its default, its allowed values, whether it can
// change while training ("live") or needs a fresh run, and how it maps onto
// the engine's config. The URL hash stores the settings that differ from the
// defaults; decoding falls back to the default, key by key, and says why.
import { t } from './i18n.js';

const num = (def, min, max, live = false) => ({ kind: 'number', def, min, max, live });
const int = (def, min, max, live = false) => ({ kind: 'int', def, min, max, live });
const bool = (def, live = false) => ({ kind: 'bool', def, live });
const pick = (def, choices, live = false) => ({ kind: 'choice', def, choices, live });

export const DATASETS = ['moons', 'circles', 'xor', 'gaussians', 'spiral', 'spiral3', 'tutorial', 'custom'];
export const ACTIVATIONS = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'linear'];
export const INITS = ['he_normal', 'he_uniform', 'xavier_normal', 'xavier_uniform', 'lecun_normal', 'uniform', 'zeros'];
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw', 'adagrad'];
export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine', 'warmup_cosine', 'cyclic'];
export const MAX_LAYERS = 8;
export const MAX_NEURONS = 32;

export const SPEC = {
  dataset: pick('moons', DATASETS),
  n: int(1000, 10, 5000),
  noise: num(0.2, 0, 1),
  ratio: num(0.8, 0.1, 0.9),
  standardize: bool(true),
  seed: int(0, 0, 2 ** 31 - 1),
  layers: { kind: 'layers', def: [10, 8] },
  activation: pick('relu', ACTIVATIONS),
  init: pick('he_normal', INITS),
  bn: bool(false),
  optimizer: pick('sgd', OPTIMIZERS, true),
  lr: num(0.1, 1e-6, 1e6, true),
  momentum: num(0.9, 0, 0.999, true),
  beta1: num(0.9, 0, 0.999, true),
  beta2: num(0.999, 0, 0.99999, true),
  alpha: num(0.99, 0, 0.9999, true),
  eps: num(1e-8, 1e-12, 1, true),
  schedule: pick('constant', SCHEDULES, true),
  sched_gamma: num(0.5, 0.01, 1, true),
  sched_epochs: int(500, 1, 100000, true),
  batch: int(0, 0, 5000, true),
  reg: pick('none', ['none', 'l1', 'l2'], true),
  lambda: num(0.001, 0, 10, true),
  clip: pick('off', ['off', 'norm', 'value'], true),
  clip_at: num(1, 1e-6, 1e6, true),
  speed: int(1, 0, 100, true),
  max_epochs: int(0, 0, 1000000, true),
  target_acc: num(0, 0, 100, true),
  discretize: bool(false, true),
  show_test: bool(true, true),
  lang: pick('', ['', 'en', 'zh'], true),
  embed: bool(false, true),
  autoplay: bool(false, true),
  tour: pick('', ['', 'tutorial'], true),
};

/** Panels that `<panel>_hide=1` removes from view. */
export const PANELS = ['data', 'network', 'optimizer', 'run', 'curves', 'export', 'views'];
/** Settings with a control of their own, each hidden by `<key>_hide=1`. */
export const CONTROLLED = [
  'dataset', 'n', 'noise', 'ratio', 'standardize', 'seed', 'layers', 'activation', 'init', 'bn',
  'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'alpha', 'eps', 'batch', 'schedule', 'sched_gamma',
  'sched_epochs', 'reg', 'lambda', 'clip', 'clip_at', 'speed', 'max_epochs', 'target_acc', 'discretize', 'show_test',
];
for (const key of [...PANELS, ...CONTROLLED]) SPEC[`${key}_hide`] = bool(false, true);
// Settings of the page alone: the engine's config does not depend on them.
for (const key of ['speed', 'max_epochs', 'target_acc', 'discretize', 'show_test', 'lang', 'embed', 'autoplay', 'tour']) SPEC[key].ui = true;
for (const key of Object.keys(SPEC)) if (key.endsWith('_hide')) SPEC[key].ui = true;

/** Whether changing `key` changes the engine's config (live or with a fresh run). */
export function touchesEngine(key) {
  return !SPEC[key]?.ui;
}

export function defaults() {
  const s = {};
  for (const [k, spec] of Object.entries(SPEC)) s[k] = Array.isArray(spec.def) ? [...spec.def] : spec.def;
  return s;
}

/** English messages, for callers that do not pass their language's `tr`. */
const EN = (key, params) => t('en', key, params);

/** Parses one raw string for `key`; returns `{ value }` or `{ problem }` (text from `tr`). */
export function parseValue(key, raw, tr = EN) {
  const spec = SPEC[key];
  if (!spec) return { problem: tr('p_unknown') };
  switch (spec.kind) {
    case 'number':
    case 'int': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) return { problem: tr('p_notNumber') };
      if (spec.kind === 'int' && !Number.isInteger(v)) return { problem: tr('p_notWhole') };
      if (v < spec.min || v > spec.max) return { problem: tr('p_outside', { min: spec.min, max: spec.max }) };
      return { value: v };
    }
    case 'bool':
      if (raw === '1' || raw === 'true') return { value: true };
      if (raw === '0' || raw === 'false') return { value: false };
      return { problem: tr('p_bool') };
    case 'choice':
      return spec.choices.includes(raw) ? { value: raw } : { problem: tr('p_oneOf', { list: spec.choices.map((c) => c || '“”').join(', ') }) };
    case 'layers': {
      if (raw === '' || raw === '-') return { value: [] };
      const parts = raw.split(',').map(Number);
      if (parts.length > MAX_LAYERS) return { problem: tr('p_layers', { n: MAX_LAYERS }) };
      if (parts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_NEURONS)) {
        return { problem: tr('p_sizes', { n: MAX_NEURONS }) };
      }
      return { value: parts };
    }
    default:
      return { problem: tr('p_unknown') };
  }
}

function formatValue(key, v) {
  const spec = SPEC[key];
  if (spec.kind === 'bool') return v ? '1' : '0';
  if (spec.kind === 'layers') return v.length ? v.join(',') : '-';
  return String(v);
}

function same(a, b) {
  return Array.isArray(a) ? Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

/** The hash for `settings`: the keys that differ from the defaults. */
export function encodeHash(settings) {
  const d = defaults();
  const parts = [];
  for (const key of Object.keys(SPEC)) {
    if (!same(settings[key], d[key])) parts.push(`${key}=${encodeURIComponent(formatValue(key, settings[key]))}`);
  }
  return parts.join('&');
}

/** Settings from a hash; every bad entry falls back to its default and is reported. */
export function decodeHash(hash, tr = EN) {
  const settings = defaults();
  const problems = [];
  const text = hash.replace(/^#/, '');
  if (text.length > 4096) return { settings, problems: [tr('p_tooLong')] };
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key;
    let raw;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      raw = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      problems.push(tr('p_unreadable', { part: part.slice(0, 40) }));
      continue;
    }
    if (!Object.hasOwn(SPEC, key)) {
      problems.push(tr('p_unknownKey', { key: key.slice(0, 40) }));
      continue;
    }
    const { value, problem } = parseValue(key, raw, tr);
    if (problem) problems.push(tr('p_entry', { key, raw: raw.slice(0, 40), problem, fallback: formatValue(key, settings[key]) }));
    else settings[key] = value;
  }
  return { settings, problems };
}

/** The raw URL-style text for an option value: arrays joined by commas, booleans as 1/0. */
export function rawValue(value) {
  if (Array.isArray(value)) return value.length ? value.join(',') : '-';
  if (value === true) return '1';
  if (value === false) return '0';
  return String(value);
}

/**
 * Applies `options` (URL keys with JS values) to `settings`; every key that
 * cannot be used keeps its value and is reported, by name and value.
 * Returns the problems and the keys whose value changed.
 */
export function applyOptions(settings, options, tr = EN) {
  const problems = [];
  const changed = [];
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!Object.hasOwn(SPEC, key)) {
      problems.push(tr('p_unknownKey', { key: key.slice(0, 40) }));
      continue;
    }
    const raw = rawValue(value);
    const { value: v, problem } = parseValue(key, raw, tr);
    if (problem) {
      problems.push(tr('p_entry', { key, raw: raw.slice(0, 40), problem, fallback: formatValue(key, settings[key]) }));
    } else if (!same(settings[key], v)) {
      settings[key] = v;
      changed.push(key);
    }
  }
  return { problems, changed };
}

/** The engine's optimizer object for `kind` at `lr`, other hyper-parameters from `s`. */
export function optimizerConfig(kind, lr, s) {
  const opt = { lr };
  switch (kind) {
    case 'sgd': Object.assign(opt, { kind: 'sgd' }); break;
    case 'momentum': Object.assign(opt, { kind: 'sgd', momentum: { classic: s.momentum } }); break;
    case 'nesterov': Object.assign(opt, { kind: 'sgd', momentum: { nesterov: s.momentum } }); break;
    case 'rmsprop': Object.assign(opt, { kind: 'rmsprop', alpha: s.alpha, eps: s.eps }); break;
    case 'adam': Object.assign(opt, { kind: 'adam', beta1: s.beta1, beta2: s.beta2, eps: s.eps }); break;
    case 'adamw': Object.assign(opt, { kind: 'adamw', beta1: s.beta1, beta2: s.beta2, eps: s.eps }); break;
    case 'adagrad': Object.assign(opt, { kind: 'adagrad', eps: Math.max(s.eps, 1e-10) }); break;
  }
  return opt;
}

/** The engine config (see `TrainConfig`) for these settings. */
export function engineConfig(s) {
  const opt = optimizerConfig(s.optimizer, s.lr, s);
  const n = s.sched_epochs;
  const schedule = {
    constant: { kind: 'constant' },
    step: { kind: 'step', step_size: n, gamma: s.sched_gamma },
    exponential: { kind: 'exponential', gamma: Math.min(1, Math.max(0.5, 1 - (1 - s.sched_gamma) / 100)) },
    cosine: { kind: 'cosine', t_max: n, eta_min: 0 },
    warmup_cosine: { kind: 'warmup_cosine', warmup: Math.max(1, Math.floor(n / 10)), total: n },
    cyclic: { kind: 'cyclic', max_lr: Math.min(1e6, s.lr * 10), step_size: n },
  }[s.schedule];
  return {
    seed: s.seed,
    dataset: {
      kind: s.dataset,
      n_samples: s.n,
      noise: s.noise,
      train_ratio: s.ratio,
      standardize: s.standardize,
      classes: 2,
    },
    network: { hidden: s.layers, activation: s.activation, init: s.init, batch_norm: s.bn },
    optimizer: opt,
    batch_size: s.batch > 0 ? s.batch : null,
    regularization: s.reg === 'none' ? { kind: 'none' } : { kind: s.reg, lambda: s.lambda },
    clipping: s.clip === 'off' ? { kind: 'none' } : s.clip === 'norm' ? { kind: 'norm', max_norm: s.clip_at } : { kind: 'value', clip_value: s.clip_at },
    schedule,
  };
}

/** Whether changing `key` needs a fresh run (data or network). */
export function needsReset(key) {
  return !SPEC[key]?.live;
}

/**
 * The settings that describe engine config `c` (the inverse of
 * `engineConfig`), starting from `base` for what the config does not hold
 * (speed, language, layout). Values outside the controls' ranges are clamped.
 */
export function settingsFromConfig(c, base = defaults()) {
  const s = { ...structuredClone(base) };
  const clamp = (key, v) => {
    const spec = SPEC[key];
    if (!Number.isFinite(v)) return s[key];
    const x = Math.min(spec.max, Math.max(spec.min, v));
    return spec.kind === 'int' ? Math.round(x) : x;
  };
  const pickIn = (key, v) => (SPEC[key].choices.includes(v) ? v : s[key]);
  const d = c.dataset ?? {};
  s.seed = clamp('seed', c.seed);
  s.dataset = pickIn('dataset', d.kind);
  if (d.n_samples !== undefined) s.n = clamp('n', d.n_samples);
  if (d.noise !== undefined) s.noise = clamp('noise', d.noise);
  if (d.train_ratio !== undefined) s.ratio = clamp('ratio', d.train_ratio);
  s.standardize = !!d.standardize;
  const net = c.network ?? {};
  s.layers = (net.hidden ?? []).slice(0, MAX_LAYERS).map((n) => Math.min(MAX_NEURONS, Math.max(1, n)));
  s.activation = pickIn('activation', net.activation);
  s.init = pickIn('init', net.init);
  s.bn = !!net.batch_norm;
  const o = c.optimizer ?? {};
  const mom = o.momentum && o.momentum !== 'none' ? o.momentum : null;
  s.optimizer = o.kind === 'sgd' ? (mom ? (mom.nesterov !== undefined ? 'nesterov' : 'momentum') : 'sgd') : pickIn('optimizer', o.kind);
  s.lr = clamp('lr', o.lr);
  if (mom) s.momentum = clamp('momentum', Object.values(mom)[0]);
  for (const k of ['beta1', 'beta2', 'alpha', 'eps']) if (o[k] !== undefined) s[k] = clamp(k, o[k]);
  s.batch = c.batch_size ? clamp('batch', c.batch_size) : 0;
  const r = c.regularization ?? { kind: 'none' };
  s.reg = pickIn('reg', r.kind);
  if (r.lambda !== undefined) s.lambda = clamp('lambda', r.lambda);
  const cl = c.clipping ?? { kind: 'none' };
  s.clip = cl.kind === 'norm' ? 'norm' : cl.kind === 'value' ? 'value' : 'off';
  if (cl.max_norm !== undefined || cl.clip_value !== undefined) s.clip_at = clamp('clip_at', cl.max_norm ?? cl.clip_value);
  const sc = c.schedule ?? { kind: 'constant' };
  s.schedule = pickIn('schedule', sc.kind);
  if (sc.kind === 'step') { s.sched_epochs = clamp('sched_epochs', sc.step_size); s.sched_gamma = clamp('sched_gamma', sc.gamma); }
  if (sc.kind === 'exponential') s.sched_gamma = clamp('sched_gamma', 1 - (1 - sc.gamma) * 100);
  if (sc.kind === 'cosine') s.sched_epochs = clamp('sched_epochs', sc.t_max);
  if (sc.kind === 'warmup_cosine') s.sched_epochs = clamp('sched_epochs', sc.total);
  if (sc.kind === 'cyclic') s.sched_epochs = clamp('sched_epochs', sc.step_size);
  return s;
}
