"""NumPy peers on W1-W4: the tutorial's own class as written (W1 and W3),
and the same maths in a lean loop (forward and backward only, one BLAS
thread). PyTorch's loop is torch_bench.py. Prints JSON."""
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import numpy as np  # noqa: E402

# BACKPROP_BENCH_RUNS=1 is the harness's smoke run: one timed run of each.
RUNS = int(os.environ.get("BACKPROP_BENCH_RUNS", "7"))
HERE = os.path.dirname(os.path.abspath(__file__))


def tutorial_data():
    rows = [l.split(",") for l in open(os.path.join(HERE, "../../crates/backprop/data/tutorial_moons.csv")) if l.startswith("train")]
    x = np.array([[float(r[1]), float(r[2])] for r in rows])
    y = np.array([float(r[3]) for r in rows])
    return (x - x.mean(0)) / x.std(0), y


def stats(xs):
    xs = sorted(xs)
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1]}


class NeuralNetworkBackprop:
    """The tutorial's class, as the tutorial writes it (section 1)."""

    def __init__(self, layer_sizes, learning_rate=0.01):
        self.layer_sizes, self.lr = layer_sizes, learning_rate
        self.weights, self.biases = [], []
        for i in range(len(layer_sizes) - 1):
            self.weights.append(np.random.randn(layer_sizes[i], layer_sizes[i + 1]) * np.sqrt(2.0 / layer_sizes[i]))
            self.biases.append(np.zeros((1, layer_sizes[i + 1])))

    def forward(self, X):
        self.z_values, self.a_values = [], [X]
        current = X
        for i in range(len(self.weights) - 1):
            z = np.dot(current, self.weights[i]) + self.biases[i]
            self.z_values.append(z)
            current = np.maximum(0, z)
            self.a_values.append(current)
        z = np.dot(current, self.weights[-1]) + self.biases[-1]
        self.z_values.append(z)
        a = 1 / (1 + np.exp(-np.clip(z, -250, 250)))
        self.a_values.append(a)
        return a

    def compute_loss(self, y_true, y_pred):
        y_true = y_true.reshape(-1, 1)
        y_pred = np.clip(y_pred, 1e-8, 1 - 1e-8)
        return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))

    def backward(self, X, y):
        m = X.shape[0]
        y = y.reshape(-1, 1)
        d_w, d_b = [None] * len(self.weights), [None] * len(self.biases)
        delta = self.a_values[-1] - y
        d_w[-1] = np.dot(self.a_values[-2].T, delta) / m
        d_b[-1] = np.sum(delta, axis=0, keepdims=True) / m
        for i in range(len(self.weights) - 2, -1, -1):
            delta = np.dot(delta, self.weights[i + 1].T) * (self.z_values[i] > 0).astype(float)
            d_w[i] = np.dot(self.a_values[i].T, delta) / m
            d_b[i] = np.sum(delta, axis=0, keepdims=True) / m
        for i in range(len(self.weights)):
            self.weights[i] -= self.lr * d_w[i]
            self.biases[i] -= self.lr * d_b[i]

    def epoch(self, X, y):
        output = self.forward(X)
        self.compute_loss(y, output)
        ((output > 0.5).astype(int).flatten() == y).mean()
        self.backward(X, y)


def lean(sizes, adam):
    """Forward and backward only, preallocated where NumPy allows, f64."""
    rng = np.random.default_rng(1)
    W = [rng.standard_normal((a, b)) * np.sqrt(2 / a) for a, b in zip(sizes, sizes[1:])]
    b = [np.zeros(k) for k in sizes[1:]]
    params = W + b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]

    def step(x, y):
        acts = [x]
        for i in range(len(W)):
            z = acts[-1] @ W[i] + b[i]
            acts.append(np.maximum(z, 0) if i + 1 < len(W) else 1 / (1 + np.exp(-z)))
        delta = (acts[-1][:, 0] - y)[:, None] / len(y)
        gW, gb = [None] * len(W), [None] * len(W)
        for i in range(len(W) - 1, -1, -1):
            gW[i] = acts[i].T @ delta
            gb[i] = delta.sum(0)
            if i:
                delta = (delta @ W[i].T) * (acts[i] > 0)
        grads = gW + gb
        if adam:
            t[0] += 1
            for p, g, mm, vv in zip(params, grads, m, v):
                mm *= 0.9
                mm += 0.1 * g
                vv *= 0.999
                vv += 0.001 * g * g
                p -= 1e-3 / (1 - 0.9 ** t[0]) * mm / (np.sqrt(vv / (1 - 0.999 ** t[0])) + 1e-8)
        else:
            for p, g in zip(params, grads):
                p -= 0.1 * g

    return step, W, b


def per_second(step, x, y, epochs):
    for _ in range(max(3, epochs // 10)):
        step(x, y)
    rates = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for _ in range(epochs):
            step(x, y)
        rates.append(epochs / (time.perf_counter() - t0))
    return stats(rates)


def grid_ms(predict):
    g = np.stack(np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2.5, 2.5, 200)), -1).reshape(-1, 2)
    predict(g)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for _ in range(5):
            predict(g)
        times.append((time.perf_counter() - t0) / 5 * 1000)
    return stats(times)


def main():
    x, y = tutorial_data()
    np.random.seed(0)
    tut = NeuralNetworkBackprop([2, 10, 8, 1], learning_rate=0.1)
    out = {"numpy-tutorial": {"W1": per_second(lambda a, b: tut.epoch(a, b), x, y, 200), "W3": grid_ms(tut.forward)}}
    s1, W, b = lean([2, 10, 8, 1], False)

    def predict(g):
        a = g
        for i in range(len(W)):
            z = a @ W[i] + b[i]
            a = np.maximum(z, 0) if i + 1 < len(W) else 1 / (1 + np.exp(-z))
        return a

    out["numpy-lean"] = {
        "W1": per_second(s1, x, y, 500),
        "W2": per_second(lean([2, 10, 8, 1], True)[0], x, y, 500),
        "W3": grid_ms(predict),
        "W4": per_second(lean([2, 64, 64, 64, 1], True)[0], x, y, 30),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
