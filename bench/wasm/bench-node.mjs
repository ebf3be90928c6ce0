// Node entry: the same module and workloads as the browser page.
import { readFileSync } from 'node:fs';
import init, * as wasm from './backprop_wasm.js';
import { runAll } from './bench.mjs';

await init({ module_or_path: readFileSync(new URL('./backprop_wasm_bg.wasm', import.meta.url)) });
console.log(JSON.stringify(runAll(wasm)));
