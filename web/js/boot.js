// A classic script, run while the page is still being parsed: it starts
// downloading and compiling the engine at once, in parallel with loading the
// page's ES modules (which wait for their whole graph before any of them
// runs). `wasm.js` picks the compiled module up; if anything here fails, it
// resolves to null and `wasm.js` loads the module itself. Pages that mount
// the playground without this script lose nothing but the head start.
(() => {
  try {
    const url = new URL('../backprop-wasm_bg.wasm', document.currentScript.src);
    globalThis.__BACKPROP_WASM_MODULE__ = WebAssembly.compileStreaming(fetch(url)).catch(() => null);
  } catch {
    // No streaming compilation here: wasm.js fetches as usual.
  }
})();
