// Loads the wasm module (built by Trunk next to the page as backprop-wasm.js
// and backprop-wasm_bg.wasm) and resolves with its exports. The page loads it
// itself, so no inline script is needed and the Content-Security-Policy stays
// strict ('self' and 'wasm-unsafe-eval' only).
import init, * as wasm from '../backprop-wasm.js';

export const bindings = init({ module_or_path: new URL('../backprop-wasm_bg.wasm', import.meta.url) }).then(() => wasm);
