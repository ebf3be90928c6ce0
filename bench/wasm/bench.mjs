// Workloads through the public API, the same in Node and in a browser.
// W1: the tutorial's run (800 points, [2,10,8,1], GD lr 0.1, full batch);
// W2: the same with Adam lr 1e-3; W4: [2,64,64,64,1] with Adam;
// W3: a full 200x200 boundary refresh (predict + RGBA) through `grid` and
// `gridRgba`; W3p: the prediction alone (`grid`); L1: a 41x41 slice of the
// loss landscape (`Landscape.start` and `computeRows`).
// Each figure: median, min and max over RUNS timed runs after a warm-up of
// at least a second.

// One timed run each in the harness's smoke run: `BACKPROP_BENCH_RUNS=1` in
// Node, `?runs=1` on the bench page.
const RUNS = Number(globalThis.process?.env?.BACKPROP_BENCH_RUNS ?? new URLSearchParams(globalThis.location?.search ?? '').get('runs') ?? 7);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

// Warm-up before timing, as criterion does natively: long enough for the
// engine to tier the hot functions up to optimised code (a 2-core machine
// compiles them in the background while the first runs go on). Skipped
// in the smoke run.
const WARM_UP_MS = RUNS > 1 ? 1000 : 0;

function epochsPerSecond(wasm, config, epochs) {
  const p = new wasm.Playground(config);
  const warm = performance.now();
  do p.stepEpochs(Math.max(10, epochs / 10));
  while (performance.now() - warm < WARM_UP_MS);
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    p.stepEpochs(epochs);
    rates.push(epochs / ((performance.now() - t0) / 1000));
  }
  p.free();
  return stats(rates);
}

/** W3 through `grid`: the prediction alone, or with the colouring (`gridRgba`). */
function gridMs(wasm, reps, colour) {
  const p = new wasm.Playground({ dataset: { kind: 'tutorial' } });
  p.stepEpochs(100);
  const refresh = () => {
    p.grid(200, -2.5, 2.5, -2.5, 2.5, false);
    if (colour) p.gridRgba();
  };
  const warm = performance.now();
  do refresh(); // the first also sizes the buffers
  while (performance.now() - warm < WARM_UP_MS);
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) refresh();
    times.push((performance.now() - t0) / reps);
  }
  p.free();
  return stats(times);
}

/** L1: a 41 x 41 slice of the loss landscape around the W1 net after 100 epochs, start to last row. */
function sliceMs(wasm, reps) {
  const p = new wasm.Playground({ dataset: { kind: 'tutorial' } });
  p.stepEpochs(100);
  const land = wasm.Landscape.ofRun(p);
  land.useRandom(1);
  const refresh = () => {
    land.start(-1, 1, -1, 1, 41);
    land.computeRows(41);
  };
  const warm = performance.now();
  do refresh(); // the first also sizes the buffer
  while (performance.now() - warm < WARM_UP_MS);
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) refresh();
    times.push((performance.now() - t0) / reps);
  }
  land.free();
  p.free();
  return stats(times);
}

export function runAll(wasm) {
  const tutorial = { dataset: { kind: 'tutorial' } };
  return {
    W1: epochsPerSecond(wasm, tutorial, 2000),
    W2: epochsPerSecond(wasm, { ...tutorial, optimizer: { kind: 'adam', lr: 0.001 } }, 2000),
    W3: gridMs(wasm, 20, true),
    W3p: gridMs(wasm, 20, false),
    W4: epochsPerSecond(wasm, { ...tutorial, network: { hidden: [64, 64, 64] }, optimizer: { kind: 'adam', lr: 0.001 } }, 30),
    L1: sliceMs(wasm, 3),
  };
}
