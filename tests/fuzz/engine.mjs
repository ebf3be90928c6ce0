// Loads the engine's package into Node (`cargo xtask pkg` writes it to
// target/pkg; BACKPROP_PKG_DIR points elsewhere) and hands it to the page's
// settings module, as the page does once its module has loaded. A missing
// package fails loudly: these runs test the boundary, not a stand-in.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export async function loadEngine() {
  const dir = process.env.BACKPROP_PKG_DIR ? pathToFileURL(`${process.env.BACKPROP_PKG_DIR}/`) : new URL('../../target/pkg/', import.meta.url);
  let wasm;
  try {
    wasm = await import(new URL('backprop_wasm.js', dir));
    await wasm.default({ module_or_path: readFileSync(new URL('backprop_wasm_bg.wasm', dir)) });
  } catch (e) {
    throw new Error(`no engine package in ${dir.pathname} (build it with cargo xtask pkg): ${e.message}`);
  }
  const settings = await import('../../web/js/settings.js');
  settings.useEngine(wasm);
  return { wasm, settings };
}
