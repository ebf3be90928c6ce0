// Loads the wasm module (built by Trunk next to the page as backprop-wasm.js
// and backprop-wasm_bg.wasm) and resolves with its exports. The page loads it
// itself, so no inline script is needed and the Content-Security-Policy stays
// strict ('self' and 'wasm-unsafe-eval' only). The single-file build sets
// `globalThis.__BACKPROP_WASM__` to the module's bytes instead.
import init, * as wasm from '../backprop-wasm.js';

const source = globalThis.__BACKPROP_WASM__ ?? new URL('../backprop-wasm_bg.wasm', import.meta.url);
export const bindings = init({ module_or_path: source }).then(() => wasm);
