// TensorFlow.js 4.22 on W1-W4, with the wasm backend (its .wasm from
// node_modules) and the cpu backend: the in-browser framework a learner would
// pick. Usage: node tfjs.mjs [wasm|cpu]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// BACKPROP_BENCH_RUNS=1 is the harness's smoke run: one timed run of each.
const RUNS = Number(process.env.BACKPROP_BENCH_RUNS ?? 7);
const backend = process.argv[2] ?? 'wasm';
if (backend === 'wasm') setWasmPaths(fileURLToPath(new URL('./node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
await tf.setBackend(backend);
await tf.ready();

function tutorialData() {
  const csv = readFileSync(new URL('../../crates/backprop/data/tutorial_moons.csv', import.meta.url), 'utf8');
  const train = csv.split('\n').filter((l) => l.startsWith('train')).map((l) => l.split(',').slice(1).map(Number));
  const n = train.length;
  const mean = [0, 1].map((j) => train.reduce((s, r) => s + r[j], 0) / n);
  const std = [0, 1].map((j) => Math.sqrt(train.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n));
  return {
    x: tf.tensor2d(train.map((r) => [(r[0] - mean[0]) / std[0], (r[1] - mean[1]) / std[1]])),
    y: tf.tensor2d(train.map((r) => [r[2]])),
  };
}

function makeNet(sizes) {
  const vars = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    vars.push(tf.variable(tf.randomNormal([sizes[l], sizes[l + 1]], 0, Math.sqrt(2 / sizes[l]), 'float32', 1)));
    vars.push(tf.variable(tf.zeros([sizes[l + 1]])));
  }
  const logits = (x) => {
    let a = x;
    for (let l = 0; l < vars.length; l += 2) {
      const z = a.matMul(vars[l]).add(vars[l + 1]);
      a = l + 2 < vars.length ? z.relu() : z;
    }
    return a;
  };
  return { vars, logits };
}

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };

function epochsPerSecond(sizes, optimizer, epochs) {
  const { x, y } = tutorialData();
  const net = makeNet(sizes);
  const step = () => optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, net.logits(x)), false, net.vars);
  for (let i = 0; i < Math.max(3, epochs / 10); i++) step();
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < epochs; i++) step();
    net.vars[0].dataSync(); // wait for the work to finish
    rates.push(epochs / ((performance.now() - t0) / 1000));
  }
  return stats(rates);
}

function gridMs() {
  const net = makeNet([2, 10, 8, 1]);
  const pts = [];
  for (let i = 0; i < 40000; i++) pts.push([-2.5 + (5 * (i % 200)) / 200, -2.5 + (5 * Math.floor(i / 200)) / 200]);
  const grid = tf.tensor2d(pts);
  const predict = () => tf.tidy(() => net.logits(grid).sigmoid().dataSync());
  predict();
  const times = [];
  for (let r = 0; r < RUNS; r++) { const t0 = performance.now(); for (let i = 0; i < 5; i++) predict(); times.push((performance.now() - t0) / 5); }
  return stats(times);
}

const slow = backend === 'cpu';
console.log(JSON.stringify({
  W1: epochsPerSecond([2, 10, 8, 1], tf.train.sgd(0.1), slow ? 40 : 150),
  W2: epochsPerSecond([2, 10, 8, 1], tf.train.adam(1e-3), slow ? 40 : 150),
  W3: gridMs(),
  W4: epochsPerSecond([2, 64, 64, 64, 1], tf.train.adam(1e-3), slow ? 3 : 8),
}));
