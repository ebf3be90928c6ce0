// Fuzzes the page's settings across the boundary into the engine, in Node
// against the built package: for many generated links (every key of the
// engine's table at random, boundary and just-outside values, random
// combinations, and known hard cases such as a warm-up longer than its
// schedule), the page's decoder (`decodeHash`, web/js/settings.js) gives
// settings from which
//   - the engine's config (`engineConfig`) makes a run (`new Playground`),
//     and so does `Playground.fromSettings` — whether or not the decoder
//     reported a problem (a key it rejects falls back, and the rest must
//     still be consistent);
//   - the settings read back from the run's config equal the decoded ones
//     (every key that matters; the others are at their defaults), and
//     nothing of the config is lost;
//   - every key of the link that no problem names keeps the value it gave.
// Also: every problem code and every choice the engine publishes has a
// message in both languages. Seeded and reproducible; fails unless every
// case ran and enough of them decoded without a problem. Usage:
//   node tests/fuzz/boundary.mjs [cases] [seed]
import { loadEngine } from './engine.mjs';
import { loadAllLangs, STRINGS } from '../../web/js/i18n.js';

// The Chinese messages load on demand, as in the page.
await loadAllLangs();

const { wasm, settings: S } = await loadEngine();
const cases = Number(process.argv[2] ?? 2000);
const seed = Number(process.argv[3] ?? 1);
if (!Number.isInteger(cases) || cases < 1) throw new Error(`cases must be a whole number >= 1, got ${process.argv[2]}`);

let state = seed >>> 0;
const rand = () => {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const chance = (p) => rand() < p;

const engineKeys = Object.keys(S.SPEC).filter(S.touchesEngine);
const JUNK = ['', 'abc', 'NaN', 'Infinity', '1e400', '0x10', '-', ',', '1,,2', '<b>', 'true'];

/** The numbers just below and above `x` (for a whole number, x - 1 and x + 1). */
function around(x, whole) {
  if (whole) return [x - 1, x + 1];
  const step = Math.max(Number.MIN_VALUE, Math.abs(x) * Number.EPSILON);
  return [x - step, x + step];
}

/** `x` with `digits` significant digits, as a link would carry it. */
const short = (x, digits) => String(Number(x.toPrecision(digits)));

/** A value for `key`: its ends, just outside them, random values inside, junk. */
function valueFor(key) {
  const spec = S.SPEC[key];
  const r = rand();
  if (r < 0.06) return pick(JUNK);
  switch (spec.kind) {
    case 'number':
    case 'whole': {
      const whole = spec.kind === 'whole';
      const lo = spec.min.value;
      // Keep the work of one run small: huge counts are the ends' business.
      const hi = spec.max ? spec.max.value : lo + 1e6;
      if (r < 0.2) return String(lo);
      if (r < 0.32) return String(hi);
      if (r < 0.44) return String(pick(around(pick([lo, hi]), whole)));
      const span = whole ? Math.min(hi - lo, 2000) : hi - lo;
      const x = lo + span * rand();
      return whole ? String(Math.round(x)) : short(x, 1 + Math.floor(rand() * 12));
    }
    case 'bool':
      return pick(['0', '1', 'true', 'false', 'yes']);
    case 'choice':
      return chance(0.9) ? pick(spec.choices) : `${pick(spec.choices)}x`;
    case 'layers': {
      if (r < 0.1) return '-';
      const count = chance(0.1) ? spec.max_layers + Math.floor(rand() * 3) - 1 : Math.floor(rand() * 5);
      const sizes = Array.from({ length: count }, () => {
        const b = rand();
        if (b < 0.04) return pick([0, spec.max.value, spec.max.value + 1]);
        if (b < 0.15) return 100 + Math.floor(rand() * 400);
        return 1 + Math.floor(rand() * 40);
      });
      return sizes.length ? sizes.join(',') : '-';
    }
    case 'set': {
      // A few of the choices, now and then none, a repeat or an unknown one.
      if (r < 0.05) return '';
      const count = 1 + Math.floor(rand() * spec.choices.length);
      const some = Array.from({ length: count }, () => pick(spec.choices));
      if (chance(0.05)) some.push(`${pick(spec.choices)}x`);
      const list = [...new Set(some)];
      if (chance(0.05)) list.push(list[0]);
      return list.join(',');
    }
    case 'per_layer': {
      // One choice per hidden layer (or '-' for none), now and then too many or an unknown one.
      if (r < 0.1) return '-';
      const count = chance(0.1) ? spec.max_layers + 1 : 1 + Math.floor(rand() * 4);
      const list = Array.from({ length: count }, () => pick(spec.choices));
      if (chance(0.05)) list[0] = `${list[0]}x`;
      return list.join(',');
    }
    default:
      throw new Error(`${key}: unknown kind ${spec.kind}`);
  }
}

/** Links whose keys interact: each fails in a known way on a decoder that does not ask the engine. */
const HARD = [
  'schedule=warmup_cosine&sched_epochs=1&optimizer=adam',
  'schedule=warmup_cosine&sched_epochs=2',
  'layers=175,563',
  'layers=313,313&bn=1',
  'layers=313,313&dataset=spiral3',
  'n=100000&layers=48',
  'n=100000&layers=47&ratio=0.8',
  'schedule=exponential&sched_gamma=0.37',
  'optimizer=adagrad&eps=1e-12',
  'layers=64,40',
  'layers=10,10,10,10,10,10,10,10,10,10',
  'seed=9007199254740991',
  'schedule=cyclic&lr=1000000',
];

function randomLink() {
  const parts = [];
  const n = 1 + Math.floor(rand() * 8);
  for (let k = 0; k < n; k++) {
    const key = chance(0.92) ? pick(engineKeys) : pick(['speed', 'max_epochs', 'lang', 'bogus']);
    const value = S.SPEC[key] ? valueFor(key) : pick(JUNK);
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const defaults = S.defaults();

/** Checks one link; returns whether it decoded without a problem. */
function checkLink(link) {
  const { settings, problems } = S.decodeHash(`#${link}`);
  const engine = S.engineSettings(settings);
  const config = S.engineConfig(settings);
  const nested = new wasm.Playground(config);
  nested.free();
  const pg = wasm.Playground.fromSettings(engine);
  const back = wasm.settingsFromConfig(pg.config(), null);
  pg.free();
  if (back.unexpressed.length) throw new Error(`the config lost ${back.unexpressed.join(', ')}`);
  // Every key the config holds (`bug_seed` names the bug hunt, not the run).
  for (const key of engineKeys.filter((k) => S.SPEC[k].in_config)) {
    const expected = S.applies(key, settings) ? settings[key] : defaults[key];
    if (!same(back.settings[key], expected)) {
      throw new Error(`${key} reads back as ${JSON.stringify(back.settings[key])}, decoded ${JSON.stringify(settings[key])}`);
    }
  }
  // Each key of the link that no problem names keeps its value (the last one given wins).
  const named = new Set(problems.map((p) => p.slice(0, p.indexOf('='))));
  const given = new Map(link.split('&').map((part) => part.split('=')).map(([k, v]) => [k, decodeURIComponent(v)]));
  for (const [key, raw] of given) {
    if (named.has(key) || !S.touchesEngine(key)) continue;
    const alone = wasm.checkSettings({ [key]: raw }, null);
    if (alone.problems.length === 0 && !same(settings[key], alone.settings[key])) {
      throw new Error(`${key}=${raw} was accepted but not kept: ${JSON.stringify(settings[key])}`);
    }
  }
  const again = S.decodeHash(S.encodeHash(settings));
  if (again.problems.length || !same(again.settings, settings)) throw new Error('the decoded settings do not survive their own link');
  return problems.length === 0;
}

// Every code and choice the engine publishes has its message in both languages.
const missing = [];
for (const lang of ['en', 'zh']) {
  for (const code of S.ISSUES) if (!(`p_${code}` in STRINGS[lang])) missing.push(`${lang}: p_${code}`);
  for (const key of engineKeys) {
    if (S.SPEC[key].kind !== 'choice') continue;
    for (const c of S.SPEC[key].choices) if (!(`v_${c}` in STRINGS[lang])) missing.push(`${lang}: v_${c}`);
  }
}
if (missing.length) {
  console.error(`messages missing: ${missing.join(', ')}`);
  process.exit(1);
}

const started = performance.now();
let ran = 0;
let clean = 0;
const failures = [];
for (let i = 0; i < cases; i++) {
  const link = i < HARD.length ? HARD[i] : randomLink();
  try {
    if (checkLink(link)) clean++;
  } catch (e) {
    failures.push(`#${link}: ${e.message}`);
  }
  ran++;
}
const seconds = (performance.now() - started) / 1000;
console.log(`${ran} links (seed ${seed}), ${clean} without a problem, ${failures.length} failed, ${seconds.toFixed(1)} s`);
for (const f of failures.slice(0, 8)) console.error(`  ${f}`);
// The properties must have been exercised: every case ran, and enough decoded cleanly.
const enough = ran === cases && clean >= cases / 5;
if (!enough) console.error(`ran ${ran} of ${cases} cases, ${clean} clean (at least ${Math.ceil(cases / 5)} needed)`);
process.exit(failures.length === 0 && enough ? 0 : 1);
