// Every setting of a playground, as the URL hash, `mount()`'s options and
// the element's attributes write them. The engine owns the settings that
// make a run: it publishes their table (`settingsTable()`: kinds, defaults,
// ranges, choices, live or reset, when each matters), checks them and maps
// them to its config, so a name or a bound is written there once. This
// module adds the page's own keys (speed, stop conditions, display,
// language, layout), reads and writes the hash, and words the engine's
// problems in the reader's language. It imports nothing that needs a page,
// so it also runs in Node; call `useEngine(wasm)` before anything else.
import { t } from './i18n.js';

const closed = (value) => ({ value, inclusive: true });
const whole = (def, min, max) => ({ kind: 'whole', default: def, min: closed(min), max: closed(max), live: true, page: true });
const number = (def, min, max) => ({ kind: 'number', default: def, min: closed(min), max: closed(max), live: true, page: true });
const bool = (def) => ({ kind: 'bool', default: def, live: true, page: true });
const pick = (def, choices) => ({ kind: 'choice', default: def, choices, live: true, page: true });

/** The page's own settings: the engine's config does not depend on them. */
const PAGE = {
  speed: whole(1, 0, 100),
  max_epochs: whole(0, 0, 1000000),
  target_acc: number(0, 0, 100),
  discretize: bool(false),
  show_test: bool(true),
  lang: pick('', ['', 'en', 'zh']),
  embed: bool(false),
  autoplay: bool(false),
  tour: pick('', ['', 'tutorial']),
};

/** Panels that `<panel>_hide=1` removes from view. */
export const PANELS = ['data', 'network', 'optimizer', 'run', 'curves', 'export', 'views'];
/** Settings with a control of their own, each hidden by `<key>_hide=1`. */
export const CONTROLLED = [
  'dataset', 'custom', 'n', 'noise', 'ratio', 'standardize', 'seed', 'layers', 'activation', 'activations', 'features', 'init', 'bn',
  'optimizer', 'lr', 'momentum', 'beta1', 'beta2', 'alpha', 'eps', 'batch', 'schedule', 'sched_gamma',
  'sched_epochs', 'reg', 'lambda', 'clip', 'clip_at', 'speed', 'max_epochs', 'target_acc', 'discretize', 'show_test',
];
/** Longest hash read: far beyond any real link. */
const MAX_HASH = 4096;

/**
 * Every key's description, the engine's first (in its table's order), then
 * the page's; filled by `useEngine`. Each is `{ kind, default, min, max,
 * choices, live, when }` as the engine's table writes them (`min`/`max` as
 * `{ value, inclusive }`); the page's keys carry `page: true`.
 */
export const SPEC = {};
/** Every problem code the engine's check can report (each has a `p_<code>` message). */
export const ISSUES = [];
let engine = null;

/** Builds `SPEC` from the engine's table; `wasm` is the bindings module, once loaded. */
export function useEngine(wasm) {
  if (engine) return;
  engine = wasm;
  const table = wasm.settingsTable();
  for (const spec of table.keys) SPEC[spec.key] = spec;
  Object.assign(SPEC, PAGE);
  for (const key of [...PANELS, ...CONTROLLED]) SPEC[`${key}_hide`] = bool(false);
  ISSUES.push(...table.issues);
}

function needEngine() {
  if (!engine) throw new Error('settings.js: call useEngine(wasm) first');
  return engine;
}

/** Whether changing `key` changes the engine's config (live or with a fresh run). */
export function touchesEngine(key) {
  return Object.hasOwn(SPEC, key) && !SPEC[key].page;
}

/** Whether changing `key` needs a fresh run (data, network, seed). */
export function needsReset(key) {
  return touchesEngine(key) && !SPEC[key].live;
}

/** Whether `key` matters with settings `s` (the engine's `when`: momentum only for SGD with momentum, …). */
export function applies(key, s) {
  const when = SPEC[key]?.when;
  return !when || when.values.includes(s[when.key]);
}

export function defaults() {
  needEngine();
  const s = {};
  for (const [k, spec] of Object.entries(SPEC)) s[k] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  return s;
}

/** The engine's keys of `s`. */
export function engineSettings(s) {
  const out = {};
  for (const key of Object.keys(SPEC)) if (touchesEngine(key) && key in s) out[key] = s[key];
  return out;
}

/** English messages, for callers that do not pass their language's `tr`. */
const EN = (key, params) => t('en', key, params);

/** A range as interval text: `[0, 10]`, `(0, 1000000]`, `> 0`. */
export function rangeText(min, max) {
  if (min && max) return `${min.inclusive ? '[' : '('}${min.value}, ${max.value}${max.inclusive ? ']' : ')'}`;
  if (min) return `${min.inclusive ? '≥' : '>'} ${min.value}`;
  if (max) return `${max.inclusive ? '≤' : '<'} ${max.value}`;
  return '';
}

/** Why a value cannot be used, in `tr`'s language, from a problem `{ code, … }` (the engine's or the page's). */
export function problemText(p, tr = EN) {
  const params = {
    list: (p.choices ?? []).map((c) => c || '“”').join(', '),
    range: p.range ? rangeText(p.range.min, p.range.max) : '',
    max: p.max,
    count: p.count,
    rows: p.rows,
    warmup: p.warmup,
    total: p.total,
    same_as: p.same_as,
    name: p.name,
    layers: p.layers,
  };
  // A code this page does not know yet still says why, in the engine's English.
  return ISSUES.includes(p.code) || p.page ? tr(`p_${p.code}`, params) : p.message;
}

/** The raw URL-style text for a value: arrays joined by commas (`-` for none), booleans as 1/0. */
export function rawValue(value) {
  if (Array.isArray(value)) return value.length ? value.join(',') : '-';
  if (value === true) return '1';
  if (value === false) return '0';
  return String(value);
}

/** Parses one of the page's own keys; returns `{ value }` or `{ problem }` (a `{ code, … }` as the engine's). */
function parsePage(key, raw) {
  const spec = SPEC[key];
  const issue = (code, more = {}) => ({ problem: { code, page: true, ...more } });
  switch (spec.kind) {
    case 'number':
    case 'whole': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) return issue('not_number');
      if (spec.kind === 'whole' && !Number.isInteger(v)) return issue('not_whole');
      if (v < spec.min.value || v > spec.max.value) return issue('outside', { range: { min: spec.min, max: spec.max } });
      return { value: v };
    }
    case 'bool':
      if (raw === '1' || raw === 'true') return { value: true };
      if (raw === '0' || raw === 'false') return { value: false };
      return issue('not_bool');
    default:
      return spec.choices.includes(raw) ? { value: raw } : issue('one_of', { choices: spec.choices });
  }
}

function same(a, b) {
  return Array.isArray(a) ? Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

/** The hash for `settings`: the keys that differ from the defaults. */
export function encodeHash(settings) {
  const d = defaults();
  const parts = [];
  for (const key of Object.keys(SPEC)) {
    if (!same(settings[key], d[key])) parts.push(`${key}=${encodeURIComponent(rawValue(settings[key]))}`);
  }
  return parts.join('&');
}

/**
 * Applies `changes` (URL keys to text or JS values) to `settings`: the
 * page's keys are read here, the engine's go to `check(engineChanges)`,
 * which returns the engine's `{ settings, problems }` (`checkSettings`, or a
 * run's `applySettings`). Every key that cannot be used keeps its value and
 * is reported by key and value, in `tr`'s language (if `check` throws, no
 * engine key changes). Returns the problems, the keys whose value changed,
 * and what `check` returned (null if it was not called or threw).
 */
export function applyChanges(settings, changes, check, tr = EN) {
  const problems = [];
  const entry = (key, value, problem) => tr('p_entry', { key, raw: rawValue(value).slice(0, 40), problem: problemText(problem, tr), fallback: rawValue(settings[key]) });
  const forEngine = {};
  const before = structuredClone(settings);
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (!Object.hasOwn(SPEC, key)) {
      problems.push(tr('p_unknownKey', { key: String(key).slice(0, 40) }));
    } else if (touchesEngine(key)) {
      forEngine[key] = value;
    } else {
      const { value: v, problem } = parsePage(key, rawValue(value));
      if (problem) problems.push(entry(key, value, problem));
      else settings[key] = v;
    }
  }
  let result = null;
  if (Object.keys(forEngine).length) {
    try {
      result = check(forEngine);
    } catch (e) {
      // Values the engine cannot even read (not plain data, or far too long): none of them is used.
      problems.push(tr('notAppliedWhy', { why: e.message }));
    }
  }
  if (result) {
    Object.assign(settings, result.settings);
    for (const p of result.problems) problems.push(entry(p.key, p.value, p));
  }
  const changed = Object.keys(SPEC).filter((k) => !same(before[k], settings[k]));
  return { problems, changed, result };
}

/**
 * Settings from a URL hash, with `options` (URL keys to JS values, as
 * `mount()` takes them) over it; every key that cannot be used keeps its
 * default and is reported, in `tr`'s language.
 */
export function readSettings(hash, options = {}, tr = EN) {
  const settings = defaults();
  const problems = [];
  const changes = {};
  const text = hash.replace(/^#/, '');
  if (text.length > MAX_HASH) problems.push(tr('p_tooLong'));
  else {
    for (const part of text.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      try {
        const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
        // An own property, so keys such as `__proto__` arrive as keys (and are refused).
        Object.defineProperty(changes, key, { value: eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)), enumerable: true, configurable: true, writable: true });
      } catch {
        problems.push(tr('p_unreadable', { part: part.slice(0, 40) }));
      }
    }
  }
  Object.assign(changes, options ?? {});
  const check = (input) => needEngine().checkSettings(input, null);
  problems.push(...applyChanges(settings, changes, check, tr).problems);
  return { settings, problems };
}

/** Settings from a hash alone; see `readSettings`. */
export function decodeHash(hash, tr = EN) {
  return readSettings(hash, {}, tr);
}

/** The engine's config (see `TrainConfig`) for these settings; throws if the engine cannot use them. */
export function engineConfig(s) {
  return needEngine().configFromSettings(engineSettings(s));
}

/** The engine's optimizer object for `kind` at `lr`, other hyper-parameters from `s`. */
export function optimizerConfig(kind, lr, s) {
  return needEngine().optimizerConfig(kind, lr, engineSettings(s));
}

/**
 * The settings that describe engine config `c` (an imported run's), with
 * `base`'s values for what the config does not hold (the page's keys,
 * another optimizer's hyper-parameters); `unexpressed` lists the config's
 * fields a link cannot hold.
 */
export function settingsFromConfig(c, base = defaults()) {
  const { settings, unexpressed } = needEngine().settingsFromConfig(c, engineSettings(base));
  return { settings: { ...structuredClone(base), ...settings }, unexpressed };
}
