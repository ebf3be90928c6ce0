// A long run of the default network as wasm in Node (`cargo xtask soak`
// copies this file next to the built module). It fails unless the run trains
// every epoch it is asked for, is still ready at the end, its history reaches
// the last epoch, and wasm memory does not grow after epoch 10^4 (the history
// is thinned, buffers are sized once). Usage: node soak.mjs [epochs]
import { readFileSync } from 'node:fs';
import init, * as wasm from './backprop_wasm.js';

// The epoch whose wasm memory the end is compared with: well after every
// buffer is sized and the history has started thinning (4,096 records).
const CHECKPOINT = 10_000;
// Epochs per call (one call may run at most 100,000); it divides CHECKPOINT,
// so a call ends there.
const CHUNK = 10_000;

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(1);
}

const arg = process.argv[2] ?? '1000000';
const epochs = Number(arg);
if (!/^[0-9]+$/.test(arg) || !Number.isSafeInteger(epochs)) fail(`epochs must be a whole number, got ${JSON.stringify(arg)}`);
if (epochs <= CHECKPOINT) fail(`epochs must be more than ${CHECKPOINT} (memory is compared with epoch ${CHECKPOINT}), got ${epochs}`);

const exports = await init({ module_or_path: readFileSync(new URL('./backprop_wasm_bg.wasm', import.meta.url)) });
const wasmKb = () => {
  const bytes = exports.memory?.buffer?.byteLength;
  if (!Number.isInteger(bytes)) fail('cannot measure memory: the module exports no memory');
  return bytes / 1024;
};
const rssKb = () => Math.round(process.memoryUsage().rss / 1024);

const p = new wasm.Playground({});
const started = performance.now();
let done = 0;
let atCheckpoint = null;
let peakRss = 0;
while (done < epochs) {
  const n = Math.min(CHUNK, epochs - done);
  const state = p.stepEpochs(n);
  done += n;
  if (state !== 'ready') fail(`by epoch ${done}: the run stopped being ready: ${state} ${JSON.stringify(p.status())}`);
  peakRss = Math.max(peakRss, rssKb());
  if (done === CHECKPOINT) {
    atCheckpoint = wasmKb();
    console.log(`epoch ${done}: wasm memory ${atCheckpoint} kB, rss ${rssKb()} kB, history ${p.historyLength()} records`);
  }
}
const end = wasmKb();
console.log(`epoch ${p.epoch}: wasm memory ${end} kB, peak rss ${peakRss} kB, history ${p.historyLength()} records, status ${p.status().state}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (p.epoch !== epochs) fail(`asked for ${epochs} epochs, the run completed ${p.epoch}`);
const history = p.history('epoch');
const last = history[history.length - 1];
if (last !== epochs) fail(`the history's last record is epoch ${last}, expected ${epochs}`);
if (end > atCheckpoint) fail(`wasm memory grew from ${atCheckpoint} kB to ${end} kB after epoch ${CHECKPOINT}`);
