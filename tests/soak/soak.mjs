// A long run of the default network as wasm in Node, reporting wasm memory
// and the process's resident size at 10^4 epochs and at the end.
import { readFileSync } from 'node:fs';
import init, * as wasm from './backprop_wasm.js';

await init({ module_or_path: readFileSync(new URL('./backprop_wasm_bg.wasm', import.meta.url)) });
const epochs = Number(process.argv[2] ?? 1_000_000);
const p = new wasm.Playground({});
const mem = () => ({ wasm_kb: wasm.__wasm?.memory?.buffer.byteLength ?? null, rss_kb: Math.round(process.memoryUsage().rss / 1024) });
const started = performance.now();
let done = 0;
let at10k = null;
let peakRss = 0;
while (done < epochs) {
  const n = Math.min(10_000, epochs - done);
  p.stepEpochs(n);
  done += n;
  const m = mem();
  peakRss = Math.max(peakRss, m.rss_kb);
  if (done === 10_000) {
    at10k = { ...m, wasm_memory_kb: Math.round(p.points().buffer.byteLength / 1024) };
    console.log(`epoch ${done}: wasm memory ${at10k.wasm_memory_kb} kB, rss ${m.rss_kb} kB, history ${p.historyLength()} records`);
  }
}
const wasmKb = Math.round(p.points().buffer.byteLength / 1024);
console.log(`epoch ${done}: wasm memory ${wasmKb} kB, peak rss ${peakRss} kB, history ${p.historyLength()} records, status ${p.status().state}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (at10k && wasmKb > at10k.wasm_memory_kb) {
  console.error(`wasm memory grew from ${at10k.wasm_memory_kb} kB to ${wasmKb} kB`);
  process.exit(1);
}
