// Loads the wasm module (built by Trunk next to the page as backprop-wasm.js
// and backprop-wasm_bg.wasm) and resolves with its exports. The page loads it
// itself, so no inline script is needed and the Content-Security-Policy stays
// strict ('self' and 'wasm-unsafe-eval' only). The page's `boot.js` may
// already have compiled it (`__BACKPROP_WASM_MODULE__`); the single-file
// build sets `globalThis.__BACKPROP_WASM__` to the module's bytes instead.
import init, * as wasm from '../backprop-wasm.js';

const url = new URL('../backprop-wasm_bg.wasm', import.meta.url);
const source = globalThis.__BACKPROP_WASM__
  ? Promise.resolve(globalThis.__BACKPROP_WASM__)
  : Promise.resolve(globalThis.__BACKPROP_WASM_MODULE__).then((compiled) => compiled ?? url);
export const bindings = source.then((s) => init({ module_or_path: s })).then(() => wasm);
