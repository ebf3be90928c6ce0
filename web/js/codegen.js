// "Copy as PyTorch" and "Copy as NumPy": a complete script that rebuilds the
// current run — the exact points and split, the architecture, initialiser,
// loss, optimizer, schedule, clipping, batch normalisation and epochs — from
// the engine's own config (so the script follows the engine's semantics,
// which the reference tests pin to PyTorch's). Pure functions: no DOM.

const py = (v) => {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'float("nan")';
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
  return JSON.stringify(String(v));
};

/** The run's facts the scripts need, from a live `Playground` and the epochs to train. */
export function runFacts(pg, epochs) {
  const points = Array.from(pg.points());
  return {
    config: pg.config(),
    points,
    labels: Array.from(pg.labels()),
    test: Array.from(pg.testFlags()),
    classes: pg.nClasses(),
    epochs,
  };
}

function header(title, f) {
  const c = f.config;
  const net = c.network;
  const opt = c.optimizer;
  const mom = opt.momentum && opt.momentum !== 'none' ? opt.momentum : null;
  const rows = f.labels.map((l, i) => `    [${f.points[2 * i]}, ${f.points[2 * i + 1]}, ${l}, ${f.test[i]}],`).join('\n');
  return `#!/usr/bin/env python3
"""${title}

Rebuilds a Backprop Playground run: the same points and train/test split,
network, initialiser, loss, optimizer, schedule, clipping and batch
normalisation. The initial weights are a fresh random draw, so the curves
differ in detail but not in character.
"""
import math

import numpy as np

SEED = ${py(c.seed)}
EPOCHS = ${py(f.epochs)}
HIDDEN = ${py(net.hidden)}
ACTIVATION = ${py(net.activation)}  # relu, leaky_relu, tanh, sigmoid, elu, gelu or linear
LEAKY_SLOPE = ${py(net.leaky_slope)}
ELU_ALPHA = ${py(net.elu_alpha)}
INIT = ${py(net.init)}  # he_normal, he_uniform, xavier_normal, xavier_uniform, lecun_normal, uniform or zeros
INIT_SCALE = ${py(net.init_scale)}  # half-width of the uniform initialiser
BATCH_NORM = ${py(net.batch_norm)}
CLASSES = ${py(f.classes)}  # 2: one sigmoid output and binary cross-entropy; more: softmax and cross-entropy
OPTIMIZER = ${py(opt.kind)}
LR = ${py(opt.lr)}
MOMENTUM = ${py(mom ? Object.values(mom)[0] : 0)}
NESTEROV = ${py(mom ? Object.keys(mom)[0] === 'nesterov' : false)}
BETAS = (${py(opt.beta1 ?? 0.9)}, ${py(opt.beta2 ?? 0.999)})
ALPHA = ${py(opt.alpha ?? 0.99)}
EPS = ${py(opt.eps ?? 1e-8)}
WEIGHT_DECAY = ${py(opt.weight_decay ?? 0)}
BATCH_SIZE = ${py(c.batch_size)}  # None: full batch, as in the tutorial
REGULARIZATION = ${py(c.regularization.kind)}  # none, l1 (lambda * sum |W|) or l2 (lambda / 2 * sum W^2), weights only
LAMBDA = ${py(c.regularization.lambda ?? 0)}
CLIPPING = ${py(c.clipping.kind)}  # none, norm (global L2 norm) or value
CLIP_AT = ${py(c.clipping.max_norm ?? c.clipping.clip_value ?? 0)}
SCHEDULE = ${py(c.schedule)}
STANDARDIZE = ${py(c.dataset.standardize)}

# The playground's points: x, y, label, test (1 = held out for testing).
DATA = np.array([
${rows}
], dtype=np.float64).reshape(-1, 4)
X, Y, IS_TEST = DATA[:, :2], DATA[:, 2].astype(int), DATA[:, 3] == 1
X_train, y_train, X_test, y_test = X[~IS_TEST], Y[~IS_TEST], X[IS_TEST], Y[IS_TEST]
if STANDARDIZE:
    # Fitted on the training points only, as sklearn's StandardScaler.
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
print(f"训练集大小: {len(X_train)}")
print(f"测试集大小: {len(X_test)}")


def lr_at(epoch):
    """The learning rate for an epoch (epochs count from 0)."""
    s, e = SCHEDULE, float(epoch)
    kind = s["kind"]
    if kind == "step":
        return LR * s["gamma"] ** (epoch // max(1, s["step_size"]))
    if kind == "exponential":
        return LR * s["gamma"] ** e
    if kind == "cosine":
        t_max = max(1, s["t_max"])
        t = min(e, t_max)
        return s["eta_min"] + (LR - s["eta_min"]) * (1 + math.cos(math.pi * t / t_max)) / 2
    if kind == "warmup_cosine":
        w, total = float(s["warmup"]), float(s["total"])
        if e >= total:
            return 0.0
        if e < w:
            return LR * e / w
        return LR * max(0.0, 0.5 * (1 + math.cos(math.pi * (e - w) / max(1.0, total - w))))
    if kind == "cyclic":
        step = max(1, s["step_size"])
        cycle = math.floor(1 + e / (2 * step))
        x = abs(e / step - 2 * cycle + 1)
        return LR + (s["max_lr"] - LR) * max(0.0, 1 - x)
    return LR
`;
}

/** A runnable PyTorch script for the run described by `facts` (see `runFacts`). */
export function pytorchScript(facts) {
  return `${header('The playground run, in PyTorch (float64, one thread).', facts)}

import torch
from torch import nn

torch.manual_seed(SEED)
torch.set_num_threads(1)
ACTIVATIONS = {
    "relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE), "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
    "elu": lambda: nn.ELU(ELU_ALPHA), "gelu": nn.GELU, "linear": nn.Identity,
}


def init_(linear):
    w = linear.weight  # [out, in]: fan_in is the number of inputs
    if INIT == "he_normal":
        nn.init.kaiming_normal_(w, nonlinearity="relu")
    elif INIT == "he_uniform":
        nn.init.kaiming_uniform_(w, nonlinearity="relu")
    elif INIT == "xavier_normal":
        nn.init.xavier_normal_(w)
    elif INIT == "xavier_uniform":
        nn.init.xavier_uniform_(w)
    elif INIT == "lecun_normal":
        nn.init.normal_(w, 0.0, math.sqrt(1.0 / w.shape[1]))
    elif INIT == "uniform":
        nn.init.uniform_(w, -INIT_SCALE, INIT_SCALE)
    else:
        nn.init.zeros_(w)
    nn.init.zeros_(linear.bias)


layers, n_in = [], 2
for n in HIDDEN:
    layers.append(nn.Linear(n_in, n))
    if BATCH_NORM:
        layers.append(nn.BatchNorm1d(n))
    layers.append(ACTIVATIONS[ACTIVATION]())
    n_in = n
outputs = 1 if CLASSES == 2 else CLASSES
layers.append(nn.Linear(n_in, outputs))
model = nn.Sequential(*layers).double()
for m in model:
    if isinstance(m, nn.Linear):
        init_(m)
linears = [m for m in model if isinstance(m, nn.Linear)]

if OPTIMIZER == "sgd":
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, nesterov=NESTEROV, weight_decay=WEIGHT_DECAY)
elif OPTIMIZER == "rmsprop":
    opt = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=ALPHA, eps=EPS, weight_decay=WEIGHT_DECAY)
elif OPTIMIZER == "adam":
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
elif OPTIMIZER == "adamw":
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
else:
    opt = torch.optim.Adagrad(model.parameters(), lr=LR, eps=EPS, weight_decay=WEIGHT_DECAY)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: lr_at(e) / LR)

Xtr, Xte = torch.tensor(X_train), torch.tensor(X_test)
if CLASSES == 2:
    loss_fn = nn.BCEWithLogitsLoss()
    ytr, yte = torch.tensor(y_train, dtype=torch.float64)[:, None], torch.tensor(y_test, dtype=torch.float64)[:, None]
else:
    loss_fn = nn.CrossEntropyLoss()
    ytr, yte = torch.tensor(y_train), torch.tensor(y_test)


def accuracy(X, y):
    model.eval()
    with torch.no_grad():
        out = model(X)
        pred = (out > 0).long() if CLASSES == 2 else out.argmax(1)
        return (pred.view(-1) == y.long().view(-1)).double().mean().item()


gen = torch.Generator().manual_seed(SEED)
n = len(Xtr)
for epoch in range(EPOCHS):
    model.train()
    order = torch.randperm(n, generator=gen) if BATCH_SIZE else torch.arange(n)
    size = BATCH_SIZE or n
    for start in range(0, n, size):
        idx = order[start:start + size]
        if BATCH_NORM and len(idx) < 2:
            continue  # batch statistics need two rows
        opt.zero_grad()
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        if REGULARIZATION == "l1":
            loss = loss + LAMBDA * sum(m.weight.abs().sum() for m in linears)
        elif REGULARIZATION == "l2":
            loss = loss + 0.5 * LAMBDA * sum((m.weight ** 2).sum() for m in linears)
        loss.backward()
        if CLIPPING == "norm":
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_AT)
        elif CLIPPING == "value":
            nn.utils.clip_grad_value_(model.parameters(), CLIP_AT)
        opt.step()
    sched.step()
    if (epoch + 1) % max(1, EPOCHS // 10) == 0:
        model.eval()
        with torch.no_grad():
            train_loss = loss_fn(model(Xtr), ytr).item()
        print(f"Epoch {epoch + 1}/{EPOCHS}, Loss: {train_loss:.4f}, Accuracy: {accuracy(Xtr, ytr):.4f}")

print(f"Test accuracy: {accuracy(Xte, yte):.4f}")
`;
}

// The NumPy script after its header, in three parts: the activations and
// initialisers, the network's forward and backward, and the training loop.
const NUMPY_LAYERS = `rng = np.random.default_rng(SEED)
_erf = np.vectorize(math.erf)


def activate(z):
    if ACTIVATION == "relu":
        return np.maximum(z, 0)
    if ACTIVATION == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if ACTIVATION == "tanh":
        return np.tanh(z)
    if ACTIVATION == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if ACTIVATION == "elu":
        return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if ACTIVATION == "gelu":
        return 0.5 * z * (1 + _erf(z / math.sqrt(2)))
    return z


def activate_grad(z, a):
    if ACTIVATION == "relu":
        return (z > 0).astype(float)
    if ACTIVATION == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if ACTIVATION == "tanh":
        return 1 - a ** 2
    if ACTIVATION == "sigmoid":
        return a * (1 - a)
    if ACTIVATION == "elu":
        return np.where(z > 0, 1.0, a + ELU_ALPHA)
    if ACTIVATION == "gelu":
        return 0.5 * (1 + _erf(z / math.sqrt(2))) + z * np.exp(-0.5 * z ** 2) / math.sqrt(2 * math.pi)
    return np.ones_like(z)


def init_weight(n_in, n_out):
    if INIT == "he_normal":
        return rng.standard_normal((n_in, n_out)) * math.sqrt(2 / n_in)
    if INIT == "he_uniform":
        a = math.sqrt(6 / n_in)
        return rng.uniform(-a, a, (n_in, n_out))
    if INIT == "xavier_normal":
        return rng.standard_normal((n_in, n_out)) * math.sqrt(2 / (n_in + n_out))
    if INIT == "xavier_uniform":
        a = math.sqrt(6 / (n_in + n_out))
        return rng.uniform(-a, a, (n_in, n_out))
    if INIT == "lecun_normal":
        return rng.standard_normal((n_in, n_out)) * math.sqrt(1 / n_in)
    if INIT == "uniform":
        return rng.uniform(-INIT_SCALE, INIT_SCALE, (n_in, n_out))
    return np.zeros((n_in, n_out))


`;

const NUMPY_NETWORK = `OUT = 1 if CLASSES == 2 else CLASSES
sizes = [2] + HIDDEN + [OUT]
L = len(sizes) - 1
# Parameters in one list, each with its gradient slot: W, b (and gamma, beta with batch norm) per layer.
W = [init_weight(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
B = [np.zeros(n) for n in sizes[1:]]
G = [np.ones(n) for n in HIDDEN]
BETA = [np.zeros(n) for n in HIDDEN]
RUN_MEAN = [np.zeros(n) for n in HIDDEN]
RUN_VAR = [np.ones(n) for n in HIDDEN]
BN_EPS, BN_MOMENTUM = 1e-5, 0.1
params = W + B + (G + BETA if BATCH_NORM else [])


def forward(X, train):
    cache, a = [], X
    for l in range(L):
        z = a @ W[l] + B[l]
        if l == L - 1:
            cache.append((a, z, None))
            break
        bn = None
        if BATCH_NORM:
            if train:
                mu, var = z.mean(axis=0), z.var(axis=0)
                n = len(z)
                RUN_MEAN[l] = (1 - BN_MOMENTUM) * RUN_MEAN[l] + BN_MOMENTUM * mu
                RUN_VAR[l] = (1 - BN_MOMENTUM) * RUN_VAR[l] + BN_MOMENTUM * var * n / max(1, n - 1)
            else:
                mu, var = RUN_MEAN[l], RUN_VAR[l]
            inv = 1 / np.sqrt(var + BN_EPS)
            xhat = (z - mu) * inv
            bn = (xhat, inv)
            z = G[l] * xhat + BETA[l]
        cache.append((a, z, bn))
        a = activate(z)
    z = cache[-1][1]
    if OUT == 1:
        p = 1 / (1 + np.exp(-z))
    else:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    return p, cache


def loss_of(p, y):
    if OUT == 1:
        q = np.where(y[:, None] == 1, p, 1 - p)
    else:
        q = p[np.arange(len(y)), y][:, None]
    return float(-np.log(np.maximum(q, 1e-300)).mean())


def backward(p, y, cache):
    n = len(y)
    if OUT == 1:
        delta = (p - y[:, None]) / n
    else:
        delta = p.copy()
        delta[np.arange(n), y] -= 1
        delta /= n
    gW, gB = [None] * L, [None] * L
    gG, gBeta = [np.zeros(k) for k in HIDDEN], [np.zeros(k) for k in HIDDEN]
    for l in reversed(range(L)):
        a_in = cache[l][0]
        gW[l] = a_in.T @ delta
        gB[l] = delta.sum(axis=0)
        if l == 0:
            break
        _, z_prev, bn = cache[l - 1]
        da = delta @ W[l].T
        dz = da * activate_grad(z_prev, activate(z_prev))
        if BATCH_NORM:
            xhat, inv = bn
            gG[l - 1] = (dz * xhat).sum(axis=0)
            gBeta[l - 1] = dz.sum(axis=0)
            dx = dz * G[l - 1]
            m = len(dx)
            dz = inv / m * (m * dx - dx.sum(axis=0) - xhat * (dx * xhat).sum(axis=0))
        delta = dz
    for l in range(L):
        if REGULARIZATION == "l1":
            gW[l] = gW[l] + LAMBDA * np.sign(W[l])
        elif REGULARIZATION == "l2":
            gW[l] = gW[l] + LAMBDA * W[l]
    return gW + gB + (gG + gBeta if BATCH_NORM else [])


`;

const NUMPY_TRAINING = `state = [dict() for _ in params]
t = 0


def update(grads, lr):
    global t
    t += 1
    if CLIPPING == "norm":
        norm = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        if norm > CLIP_AT:
            grads = [g * (CLIP_AT / (norm + 1e-6)) for g in grads]
    elif CLIPPING == "value":
        grads = [np.clip(g, -CLIP_AT, CLIP_AT) for g in grads]
    for p, g, s in zip(params, grads, state):
        if WEIGHT_DECAY and OPTIMIZER != "adamw":
            g = g + WEIGHT_DECAY * p
        if OPTIMIZER == "sgd":
            if MOMENTUM:
                s["buf"] = g.copy() if "buf" not in s else MOMENTUM * s["buf"] + g
                g = g + MOMENTUM * s["buf"] if NESTEROV else s["buf"]
            p -= lr * g
        elif OPTIMIZER == "rmsprop":
            s["sq"] = ALPHA * s.get("sq", 0) + (1 - ALPHA) * g ** 2
            p -= lr * g / (np.sqrt(s["sq"]) + EPS)
        elif OPTIMIZER in ("adam", "adamw"):
            if OPTIMIZER == "adamw":
                p *= 1 - lr * WEIGHT_DECAY
            b1, b2 = BETAS
            s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
            s["v"] = b2 * s.get("v", 0) + (1 - b2) * g ** 2
            p -= lr * (s["m"] / (1 - b1 ** t)) / (np.sqrt(s["v"] / (1 - b2 ** t)) + EPS)
        else:
            s["sum"] = s.get("sum", 0) + g ** 2
            p -= lr * g / (np.sqrt(s["sum"]) + EPS)


def accuracy(X, y):
    p, _ = forward(X, train=False)
    pred = (p[:, 0] > 0.5).astype(int) if OUT == 1 else p.argmax(axis=1)
    return float((pred == y).mean())


n = len(X_train)
for epoch in range(EPOCHS):
    order = rng.permutation(n) if BATCH_SIZE else np.arange(n)
    size = BATCH_SIZE or n
    lr = lr_at(epoch)
    for start in range(0, n, size):
        idx = order[start:start + size]
        if BATCH_NORM and len(idx) < 2:
            continue  # batch statistics need two rows
        p, cache = forward(X_train[idx], train=True)
        update(backward(p, y_train[idx], cache), lr)
    if (epoch + 1) % max(1, EPOCHS // 10) == 0:
        p, _ = forward(X_train, train=False)
        print(f"Epoch {epoch + 1}/{EPOCHS}, Loss: {loss_of(p, y_train):.4f}, Accuracy: {accuracy(X_train, y_train):.4f}")

print(f"Test accuracy: {accuracy(X_test, y_test):.4f}")
`;

/** A runnable NumPy script (forward and backward by hand) for the run described by `facts`. */
export function numpyScript(facts) {
  const head = header('The playground run, in NumPy: forward and backward written out by hand.', facts);
  return `${head}\n${NUMPY_LAYERS}${NUMPY_NETWORK}${NUMPY_TRAINING}`;
}
