// Fuzzes the page's URL-hash decoder (web/js/settings.js, with the engine's
// package checking the engine's keys) in Node: seeded random and hostile
// hashes must decode without throwing into settings that are all valid, and
// re-encoding them must round-trip. Usage:
//   node tests/fuzz/hash.mjs [cases] [seed]
import { loadEngine } from './engine.mjs';

const { settings: { SPEC, decodeHash, encodeHash, readSettings, defaults } } = await loadEngine();

// A whole number from 1 to 2^32 - 1, as the Rust fuzz targets count cases
// (and the seed is a u32): anything else is an error naming it, never a
// run of no cases.
function count(name, text, min) {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > 0xffffffff) {
    console.error(`${name} must be a whole number from ${min} to ${0xffffffff}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return Number(text);
}
const cases = count('cases', process.argv[2] ?? '20000', 1);
let state = count('seed', process.argv[3] ?? '1', 0);
const rand = () => {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const keys = Object.keys(SPEC);
const junk = [
  '', '-', '0', '-0', '1e309', '-1e309', 'NaN', 'Infinity', '0x10', '1e-400', '3.5', '99999999999999999999',
  '<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', 'javascript:alert(1)', '%', '%E0%A4%A', '%00',
  '\u202e', '𝓧', ',,,', '1,2,3,4,5,6,7,8,9', '33,1', '1,,2', 'true', 'false', '1', 'adam', 'moons', 'zh',
  'constructor', '__proto__', 'toString', 'a'.repeat(5000),
];
const randomText = (n) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x3000))).join('');

function check(settings, hash) {
  // Decoded settings, given again as options, are all used as they are.
  const again = readSettings('', settings);
  if (again.problems.length) throw new Error(`decoded settings are invalid (${again.problems.join('; ')}) from ${JSON.stringify(hash).slice(0, 200)}`);
  if (JSON.stringify(again.settings) !== JSON.stringify(settings)) throw new Error(`decoded settings change when given again, from ${hash.slice(0, 200)}`);
  if (Object.keys(settings).length !== keys.length) throw new Error(`extra keys from ${hash.slice(0, 200)}`);
}

let failures = 0;
for (let i = 0; i < cases; i++) {
  let hash;
  const mode = rand();
  if (mode < 0.15) hash = randomText(Math.floor(rand() * 200));
  else {
    const parts = [];
    const n = Math.floor(rand() * 12);
    for (let k = 0; k < n; k++) {
      const key = rand() < 0.9 ? pick(keys) : pick(junk);
      const value = rand() < 0.5 ? pick(junk) : rand() < 0.5 ? String(rand() * 10 ** Math.floor(rand() * 12 - 6)) : randomText(8);
      parts.push(rand() < 0.5 ? `${key}=${encodeURIComponent(value)}` : `${key}=${value}`);
    }
    hash = (rand() < 0.5 ? '#' : '') + parts.join(pick(['&', '&&', '&=&']));
  }
  try {
    const { settings, problems } = decodeHash(hash);
    if (!Array.isArray(problems)) throw new Error('problems is not a list');
    check(settings, hash);
    const again = decodeHash(encodeHash(settings));
    if (again.problems.length) throw new Error(`re-encoded hash has problems: ${again.problems}`);
    if (JSON.stringify(again.settings) !== JSON.stringify(settings)) throw new Error(`round trip changed settings for ${hash.slice(0, 200)}`);
  } catch (e) {
    failures++;
    if (failures <= 5) console.error(`case ${i}: ${e.message}`);
  }
}
const d = defaults();
if (encodeHash(d) !== '') { failures++; console.error('defaults encode to a non-empty hash'); }
console.log(`${cases - failures} passed, ${failures} failed`);
process.exit(failures || cases < 1 ? 1 : 0);
