// A plain JavaScript Float64Array MLP — what the page could do without wasm —
// on the same workloads as bench/wasm/bench.mjs: W1 (tutorial data, [2,10,8,1],
// ReLU, sigmoid + BCE, full-batch GD lr 0.1), W2 (Adam lr 1e-3), W3 (predict a
// 200x200 grid), W4 ([2,64,64,64,1], Adam). Usage: node js_mlp.mjs [csv path]
import { readFileSync } from 'node:fs';

// BACKPROP_BENCH_RUNS=1 is the harness's smoke run: one timed run of each.
const RUNS = Number(process.env.BACKPROP_BENCH_RUNS ?? 7);
const csvPath = process.argv[2] ?? new URL('../../crates/backprop/data/tutorial_moons.csv', import.meta.url);

function tutorialData() {
  const rows = readFileSync(csvPath, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const train = rows.filter((l) => l.startsWith('train')).map((l) => l.split(',').slice(1).map(Number));
  const n = train.length;
  const mean = [0, 1].map((j) => train.reduce((s, r) => s + r[j], 0) / n);
  const std = [0, 1].map((j) => Math.sqrt(train.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n));
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  train.forEach((r, i) => { x[2 * i] = (r[0] - mean[0]) / std[0]; x[2 * i + 1] = (r[1] - mean[1]) / std[1]; y[i] = r[2]; });
  return { x, y, n };
}

function makeNet(sizes, seed = 1) {
  let s = seed >>> 0;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const W = [], b = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = new Float64Array(sizes[l] * sizes[l + 1]);
    for (let i = 0; i < w.length; i++) w[i] = gauss() * Math.sqrt(2 / sizes[l]);
    W.push(w);
    b.push(new Float64Array(sizes[l + 1]));
  }
  return { sizes, W, b };
}

/** One full-batch epoch: forward, BCE backward, update with `update(param, grad, slot)`. */
function makeTrainer(net, n, update) {
  const L = net.sizes.length - 1;
  const a = net.sizes.map((k) => new Float64Array(n * k)); // a[0] is the input
  const d = net.sizes.map((k) => new Float64Array(n * k));
  const gW = net.W.map((w) => new Float64Array(w.length));
  const gb = net.b.map((v) => new Float64Array(v.length));
  return (x, y) => {
    a[0].set(x);
    for (let l = 0; l < L; l++) {
      const [k, m] = [net.sizes[l], net.sizes[l + 1]];
      const [inp, out, W, b] = [a[l], a[l + 1], net.W[l], net.b[l]];
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < m; j++) {
          let z = b[j];
          for (let p = 0; p < k; p++) z += inp[r * k + p] * W[p * m + j];
          out[r * m + j] = l === L - 1 ? 1 / (1 + Math.exp(-z)) : z > 0 ? z : 0;
        }
      }
    }
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const p = Math.min(Math.max(a[L][r], 1e-12), 1 - 1e-12);
      loss -= y[r] * Math.log(p) + (1 - y[r]) * Math.log(1 - p);
      d[L][r] = (a[L][r] - y[r]) / n;
    }
    for (let l = L - 1; l >= 0; l--) {
      const [k, m] = [net.sizes[l], net.sizes[l + 1]];
      const [inp, W, dz, gw, g] = [a[l], net.W[l], d[l + 1], gW[l], gb[l]];
      gw.fill(0); g.fill(0);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < m; j++) {
          const dv = dz[r * m + j];
          g[j] += dv;
          for (let p = 0; p < k; p++) gw[p * m + j] += inp[r * k + p] * dv;
        }
      }
      if (l > 0) {
        const da = d[l];
        for (let r = 0; r < n; r++) {
          for (let p = 0; p < k; p++) {
            let s = 0;
            for (let j = 0; j < m; j++) s += dz[r * m + j] * W[p * m + j];
            da[r * k + p] = inp[r * k + p] > 0 ? s : 0;
          }
        }
      }
    }
    for (let l = 0; l < L; l++) { update(net.W[l], gW[l], `W${l}`); update(net.b[l], gb[l], `b${l}`); }
    return loss / n;
  };
}

const sgd = (lr) => (p, g) => { for (let i = 0; i < p.length; i++) p[i] -= lr * g[i]; };
function adam(lr, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const state = {};
  let t = 0;
  const seen = new Set();
  return (p, g, key) => {
    if (seen.has(key)) { seen.clear(); }
    if (seen.size === 0) t++;
    seen.add(key);
    const s = (state[key] ??= { m: new Float64Array(p.length), v: new Float64Array(p.length) });
    const bc1 = 1 - b1 ** t, bc2 = Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < p.length; i++) {
      s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
      s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (lr / bc1) * s.m[i] / (Math.sqrt(s.v[i]) / bc2 + eps);
    }
  };
}

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };

function epochsPerSecond(sizes, update, epochs) {
  const { x, y, n } = tutorialData();
  const step = makeTrainer(makeNet(sizes), n, update);
  for (let i = 0; i < Math.max(5, epochs / 10); i++) step(x, y);
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < epochs; i++) step(x, y);
    rates.push(epochs / ((performance.now() - t0) / 1000));
  }
  return stats(rates);
}

function gridMs() {
  const net = makeNet([2, 10, 8, 1]);
  const N = 200 * 200;
  const x = new Float64Array(2 * N);
  for (let i = 0; i < N; i++) { x[2 * i] = -2.5 + 5 * (i % 200) / 200; x[2 * i + 1] = -2.5 + 5 * Math.floor(i / 200) / 200; }
  const h1 = new Float64Array(10), h2 = new Float64Array(8), out = new Float64Array(N);
  const predict = () => {
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < 10; j++) { const z = net.b[0][j] + x[2 * r] * net.W[0][j] + x[2 * r + 1] * net.W[0][10 + j]; h1[j] = z > 0 ? z : 0; }
      for (let j = 0; j < 8; j++) { let z = net.b[1][j]; for (let p = 0; p < 10; p++) z += h1[p] * net.W[1][p * 8 + j]; h2[j] = z > 0 ? z : 0; }
      let z = net.b[2][0]; for (let p = 0; p < 8; p++) z += h2[p] * net.W[2][p]; out[r] = 1 / (1 + Math.exp(-z));
    }
  };
  predict();
  const times = [];
  for (let r = 0; r < RUNS; r++) { const t0 = performance.now(); for (let i = 0; i < 10; i++) predict(); times.push((performance.now() - t0) / 10); }
  return stats(times);
}

console.log(JSON.stringify({
  W1: epochsPerSecond([2, 10, 8, 1], sgd(0.1), 300),
  W2: epochsPerSecond([2, 10, 8, 1], adam(1e-3), 300),
  W3: gridMs(),
  W4: epochsPerSecond([2, 64, 64, 64, 1], adam(1e-3), 10),
}));
