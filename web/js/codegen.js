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

/**
 * The run's facts the scripts need, from a live `Playground` and the run's
 * `maxEpochs` (0: no limit). A run in progress (it has stepped, and has
 * epochs left before `maxEpochs`) is continued from the moment of export:
 * its parameters, batch-norm statistics, optimizer state and place in the
 * epoch (`resume`). Any other run is replayed from its initial parameters:
 * up to `maxEpochs` before its first step, else the epochs it has trained.
 */
export function runFacts(pg, maxEpochs) {
  const model = JSON.parse(pg.exportModel());
  const started = model.step > 0;
  const inProgress = started && maxEpochs > model.epoch;
  const facts = {
    config: pg.config(),
    points: Array.from(pg.points()),
    labels: Array.from(pg.labels()),
    test: Array.from(pg.testFlags()),
    classes: pg.nClasses(),
    params: inProgress ? model.params : Array.from(pg.initialParams()),
    shuffle: pg.shuffleStream(),
    epochs: maxEpochs > 0 && (inProgress || !started) ? maxEpochs : model.epoch > 0 ? model.epoch : 1000,
    resume: null,
  };
  if (inProgress) {
    const progress = model.progress ?? { rows: 0, loss: 0, correct: 0 };
    facts.resume = {
      epoch: model.epoch,
      rows: progress.rows,
      loss: progress.loss,
      correct: progress.correct,
      step: model.optimizer.t,
      running: model.running,
      buffers: [model.optimizer.s1, model.optimizer.s2, model.optimizer.s3],
    };
  }
  return facts;
}

/** The optimizer's settings as the scripts' constants (every field, defaults where the kind has none). */
function optimizerLines(opt) {
  const mom = opt.momentum && typeof opt.momentum === 'object' ? opt.momentum : null;
  const momentum = mom ? Object.values(mom)[0] : typeof opt.momentum === 'number' ? opt.momentum : 0;
  return `OPTIMIZER = ${py(opt.kind)}  # sgd, rmsprop, adam, adamw or adagrad
LR = ${py(opt.lr)}
MOMENTUM, NESTEROV, DAMPENING = ${py(momentum)}, ${py(mom ? Object.keys(mom)[0] === 'nesterov' : false)}, ${py(opt.dampening ?? 0)}  # SGD; RMSprop's momentum too
ALPHA = ${py(opt.alpha ?? 0.99)}  # RMSprop
BETAS, AMSGRAD = (${py(opt.beta1 ?? 0.9)}, ${py(opt.beta2 ?? 0.999)}), ${py(opt.amsgrad ?? false)}  # Adam, AdamW
LR_DECAY, INITIAL_ACCUMULATOR = ${py(opt.lr_decay ?? 0)}, ${py(opt.initial_accumulator_value ?? 0)}  # Adagrad
EPS = ${py(opt.eps ?? 1e-8)}
WEIGHT_DECAY = ${py(opt.weight_decay ?? 0)}  # on every parameter (AdamW: decoupled)`;
}

/** The docstring's first paragraph for a run exported in progress. */
function continues(f) {
  const r = f.resume;
  const batches = r.rows > 0 ? ` and ${r.rows} rows of epoch ${r.epoch + 1}` : '';
  return `Continues a Backprop Playground run from where it was exported (after
epoch ${r.epoch}${batches}) to epoch ${f.epochs}, number for number: the
same points and split, network, batch order, loss, optimizer, schedule,
clipping, regularisation and batch normalisation, from the weights,
batch-norm statistics and optimizer state the run had then.`;
}

function header(title, f) {
  const c = f.config;
  const net = c.network;
  const acts = net.activations ?? net.hidden.map(() => net.activation);
  const output = net.output ?? (f.classes > 2 ? 'softmax_ce' : 'sigmoid_bce');
  const rows = f.labels.map((l, i) => `    [${f.points[2 * i]}, ${f.points[2 * i + 1]}, ${l}, ${f.test[i]}],`).join('\n');
  return `#!/usr/bin/env python3
"""${title}

${f.resume ? continues(f) : `Replays a Backprop Playground run number for number: the same points and
train/test split, network, initial weights, batch order, loss, optimizer,
schedule, clipping, regularisation and batch normalisation.`}

    python script.py                  prints progress lines
    python script.py --history FILE   also writes the page's History CSV
                                      (epoch,train_loss,test_loss,train_acc,test_acc,lr)

The ${f.resume ? "weights, the optimizer's state" : "initial weights"} and the seed of the batch order sit at the bottom.
Cells start at "# %%" (a notebook keeps them as its cells).
"""
# %% Settings
import argparse
import math

import numpy as np

EPOCHS = ${py(f.epochs)}
HIDDEN = ${py(net.hidden)}
ACTIVATIONS = ${py(acts)}  # per hidden layer: relu, leaky_relu, tanh, sigmoid, elu, gelu (exact, with erf) or linear
LEAKY_SLOPE = ${py(net.leaky_slope)}
ELU_ALPHA = ${py(net.elu_alpha)}
BATCH_NORM = ${py(net.batch_norm)}  # after every hidden layer's weights, before its activation
CLASSES = ${py(f.classes)}
OUTPUT = ${py(output)}  # sigmoid_bce (one output), softmax_ce (one per class) or identity_mse (regression on the label)
${optimizerLines(c.optimizer)}
BATCH_SIZE = ${py(c.batch_size)}  # None: full batch, as in the tutorial
REGULARIZATION = ${py(c.regularization.kind)}  # none, l1 (lambda * sum |W|) or l2 (lambda / 2 * sum W^2), weights only
LAMBDA = ${py(c.regularization.lambda ?? 0)}
CLIPPING = ${py(c.clipping.kind)}  # none, norm (global L2 norm) or value
CLIP_AT = ${py(c.clipping.max_norm ?? c.clipping.clip_value ?? 0)}
SCHEDULE = ${py(c.schedule)}
STANDARDIZE = ${py(c.dataset.standardize)}
BN_EPS, BN_MOMENTUM = 1e-5, 0.1

# %% Data: the playground's points: x, y, label, test (1 = held out for testing).
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
${featureLines(net)}
OUT = 1 if OUTPUT != "softmax_ce" else CLASSES
sizes = [len(FEATURES)] + HIDDEN + [OUT]


${scheduleAndMetrics()}`;
}

/**
 * The network's inputs: the engine's features of each standardised point
 * (crates/backprop/src/data/features.rs), one column each, in the config's
 * order (the first layer's rows).
 */
function featureLines(net) {
  return `FEATURES = ${py(net.features ?? ['x1', 'x2'])}  # the network's inputs: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2


def features(X):
    """One column per feature of FEATURES, computed from the (standardised) points."""
    x1, x2 = X[:, 0], X[:, 1]
    column = {"x1": x1, "x2": x2, "x1_sq": x1 * x1, "x2_sq": x2 * x2, "x1_x2": x1 * x2, "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}
    return np.stack([column[name] for name in FEATURES], axis=1)


X_train, X_test = features(X_train), features(X_test)`;
}

/** The learning rate, the batch order, the parameters' layout and the metrics: shared by both scripts. */
function scheduleAndMetrics() {
  return `# %% Learning rate, batch order, parameters, metrics


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
            return LR * (e / w)
        return LR * max(0.0, 0.5 * (1 + math.cos(math.pi * ((e - w) / max(1.0, total - w)))))
    if kind == "cyclic":
        step = max(1, s["step_size"])
        cycle = math.floor(1 + e / (2 * step))
        x = abs(e / step - 2 * cycle + 1)
        return LR + (s["max_lr"] - LR) * max(0.0, 1 - x)
    return LR


def epoch_order(epoch, n):
    """This epoch's order of the training points: SplitMix64 feeding a Fisher-Yates shuffle."""
    mask = 2**64 - 1
    state = SHUFFLE_SEED ^ (epoch * 0xA24BAED4963EE407 & mask)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        j = (z ^ (z >> 31)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order)


def batches(epoch):
    """The index arrays of one epoch's mini-batches (one full batch without BATCH_SIZE)."""
    n = len(X_train)
    size = min(BATCH_SIZE or n, n)
    order = epoch_order(epoch, n) if size < n else np.arange(n)
    return [order[start:start + size] for start in range(0, n, size)]


def unpack(flat):
    """The flat parameters, per layer: W [n_in, n_out], b, then gamma and beta with batch norm."""
    W, B, GAMMA, BETA, at = [], [], [], [], 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W.append(np.array(flat[at:at + n_in * n_out], dtype=np.float64).reshape(n_in, n_out))
        B.append(np.array(flat[at + n_in * n_out:at + (n_in + 1) * n_out], dtype=np.float64))
        at += (n_in + 1) * n_out
        if BATCH_NORM and l < len(HIDDEN):
            GAMMA.append(np.array(flat[at:at + n_out], dtype=np.float64))
            BETA.append(np.array(flat[at + n_out:at + 2 * n_out], dtype=np.float64))
            at += 2 * n_out
    return W, B, GAMMA, BETA


def predicted(out):
    """The class each row of outputs names (the page's rule)."""
    if OUTPUT == "sigmoid_bce":
        return (out[:, 0] > 0.5).astype(int)
    if OUTPUT == "identity_mse":
        return np.maximum(np.floor(out[:, 0] + 0.5), 0).astype(int)
    return out.argmax(axis=1)


class History:
    """Per-epoch figures: printed as progress lines, written as CSV with --history."""

    def __init__(self):
        parser = argparse.ArgumentParser()
        parser.add_argument("--history", metavar="FILE", help="write the per-epoch figures as CSV")
        # parse_known_args: a notebook's kernel passes arguments of its own.
        self.path = parser.parse_known_args()[0].history
        self.rows = []

    def add(self, epoch, train_loss, test_loss, train_acc, test_acc, lr):
        self.rows.append((epoch, train_loss, test_loss, train_acc, test_acc, lr))
        if epoch % max(1, EPOCHS // 10) == 0:
            print(f"Epoch {epoch}/{EPOCHS}, Loss: {train_loss:.4f}, Accuracy: {train_acc:.4f}")

    def close(self, test_acc):
        print(f"Test accuracy: {test_acc:.4f}")
        if self.path:
            with open(self.path, "w") as f:
                f.write("epoch,train_loss,test_loss,train_acc,test_acc,lr\\n")
                for row in self.rows:
                    f.write(",".join("" if isinstance(v, float) and math.isnan(v) else repr(v) for v in row) + "\\n")
`;
}

/** `values` as a Python list, `perLine` numbers a line (`[0.0] * n` when all are 0). */
function pyList(values, perLine = 6) {
  if (values.length > 0 && values.every((v) => v === 0)) return `[0.0] * ${values.length}`;
  const lines = [];
  for (let i = 0; i < values.length; i += perLine) lines.push(`    ${values.slice(i, i + perLine).map(py).join(', ')},`);
  return `[\n${lines.join('\n')}\n]`;
}

/** The parity data, at the bottom of both scripts, and the call that starts the run. */
function footer(f) {
  const r = f.resume;
  const what = r
    ? `the page's parameters at the moment of export, the optimizer's state then, and the seed of its batch order.`
    : `the page's initial parameters, and the seed of its batch order.`;
  const resume = r
    ? `RESUME = {
    # Where the run was: completed epochs, then this epoch's batches already taken and their sums.
    "epoch": ${py(r.epoch)}, "rows": ${py(r.rows)}, "loss_sum": ${py(r.loss)}, "correct": ${py(r.correct)},
    "step": ${py(r.step)},  # the optimizer's steps so far (Adam's bias correction, Adagrad's decay)
    "running_mean": ${py(r.running.map((l) => l.mean))},  # batch norm, per hidden layer
    "running_var": ${py(r.running.map((l) => l.var))},
    # The optimizer's buffers, laid out as PARAMS: momentum, or Adam's m, v and AMSGrad's max of v,
    # or RMSprop's momentum and mean square, or Adagrad's sum of squares (see resume_state).
    "s1": ${pyList(r.buffers[0])},
    "s2": ${pyList(r.buffers[1])},
    "s3": ${pyList(r.buffers[2])},
}`
    : 'RESUME = None  # exported before the run started, or after it ended: it is replayed from its start';
  return `

# %% The parity data: ${what}
PARAMS = ${pyList(f.params)}
SHUFFLE_SEED = 0x${f.shuffle}
${resume}

# %% Train
if __name__ == "__main__":
    main()
`;
}

/** The PyTorch script's model: batch norm's one-row case, loading the page's numbers, resuming a run. */
function torchModel() {
  return `class BatchNorm1d(nn.BatchNorm1d):
    """nn.BatchNorm1d, which refuses a training batch of one row (a last mini-batch
    can be one). The page normalises it like any batch: the row is its own mean,
    the variance is 0, so the output is beta and no gradient reaches z or gamma;
    the running statistics stay (one row has no unbiased variance)."""

    def forward(self, z):
        if self.training and len(z) == 1:
            zhat = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + self.eps)
            return self.weight * zhat + self.bias
        return super().forward(z)


def tensors(flat):
    """Values laid out as PARAMS, as tensors in the order and shapes of model.parameters()."""
    W, B, GAMMA, BETA = unpack(flat)
    out = []
    for l in range(len(W)):
        out += [torch.tensor(W[l].T), torch.tensor(B[l])]  # nn.Linear keeps W as [out, in]
        if BATCH_NORM and l < len(HIDDEN):
            out += [torch.tensor(GAMMA[l]), torch.tensor(BETA[l])]
    return out


def build_model():
    """nn.Sequential of Linear (BatchNorm1d) activation ..., Linear, loaded with the page's weights."""
    layers = []
    for l, kind in enumerate(ACTIVATIONS):
        layers.append(nn.Linear(sizes[l], sizes[l + 1]))
        if BATCH_NORM:
            layers.append(BatchNorm1d(sizes[l + 1], eps=BN_EPS, momentum=BN_MOMENTUM))
        layers.append(activation(kind))
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    model = nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for p, value in zip(model.parameters(), tensors(PARAMS)):
            p.copy_(value)
    return model, linears


def resume_state(model, opt, sched):
    """A run exported in progress: its batch-norm statistics, the optimizer's state and the schedule's epoch."""
    norms = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    for m, mean, var in zip(norms, RESUME["running_mean"], RESUME["running_var"]):
        m.running_mean.copy_(torch.tensor(mean))
        m.running_var.copy_(torch.tensor(var))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stepping the schedule before the optimizer is meant here
        for _ in range(RESUME["epoch"]):
            sched.step()
    if RESUME["step"] == 0:
        return  # an optimizer that has not stepped (its kind changed mid-run) starts as PyTorch starts it
    names = {"sgd": ["momentum_buffer"], "rmsprop": ["momentum_buffer", "square_avg"],
             "adam": ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], "adagrad": ["sum"]}
    names["adamw"] = names["adam"]
    buffers = [tensors(RESUME[k]) for k in ["s1", "s2", "s3"]]
    for p, *values in zip(model.parameters(), *buffers):
        opt.state[p].update(zip(names[OPTIMIZER], values))
        if OPTIMIZER != "sgd":
            opt.state[p]["step"] = torch.tensor(float(RESUME["step"]))


`;
}

/** A runnable PyTorch script for the run described by `facts` (see `runFacts`). */
export function pytorchScript(facts) {
  return `${header('The playground run, in PyTorch (one thread).', facts)}

# %% The model, optimizer and schedule in PyTorch
import warnings

import torch
from torch import nn

DTYPE = torch.float64  # torch.float32 trains faster, and parts from the page's figures after a few digits
torch.set_num_threads(1)
torch.set_default_dtype(DTYPE)


def activation(kind):
    return {
        "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(LEAKY_SLOPE), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(),
        "elu": nn.ELU(ELU_ALPHA), "gelu": nn.GELU(), "linear": nn.Identity(),
    }[kind]


${torchModel()}def make_optimizer(params):
    if OPTIMIZER == "sgd":
        return torch.optim.SGD(params, lr=LR, momentum=MOMENTUM, dampening=DAMPENING, nesterov=NESTEROV,
                               weight_decay=WEIGHT_DECAY)
    if OPTIMIZER == "rmsprop":
        return torch.optim.RMSprop(params, lr=LR, alpha=ALPHA, eps=EPS, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    if OPTIMIZER == "adam":
        return torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY, amsgrad=AMSGRAD)
    if OPTIMIZER == "adamw":
        return torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY, amsgrad=AMSGRAD)
    return torch.optim.Adagrad(params, lr=LR, lr_decay=LR_DECAY, eps=EPS, weight_decay=WEIGHT_DECAY,
                               initial_accumulator_value=INITIAL_ACCUMULATOR)


def make_schedule(opt):
    kind = SCHEDULE["kind"]
    if kind == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=SCHEDULE["step_size"], gamma=SCHEDULE["gamma"])
    if kind == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=SCHEDULE["gamma"])
    # Constant, and the playground's cosine (which stays at eta_min after t_max
    # where CosineAnnealingLR rises again), warm-up cosine and per-epoch cyclic
    # rates: lr_at above, through LambdaLR.
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: lr_at(epoch) / LR)


# %% Training loop


def main():
    model, linears = build_model()
    opt = make_optimizer(model.parameters())
    sched = make_schedule(opt)
    if OUTPUT == "sigmoid_bce":
        loss_fn, target = nn.BCEWithLogitsLoss(), lambda y: torch.tensor(y, dtype=DTYPE)[:, None]
    elif OUTPUT == "identity_mse":
        loss_fn, target = nn.MSELoss(), lambda y: torch.tensor(y, dtype=DTYPE)[:, None]
    else:
        loss_fn, target = nn.CrossEntropyLoss(), torch.tensor
    Xtr, ytr, Xte, yte = torch.tensor(X_train, dtype=DTYPE), target(y_train), torch.tensor(X_test, dtype=DTYPE), target(y_test)

    def outputs(logits):
        if OUTPUT == "sigmoid_bce":
            return torch.sigmoid(logits)
        return logits.softmax(1) if OUTPUT == "softmax_ce" else logits

    def correct(logits, y):
        return int((predicted(outputs(logits).detach().numpy()) == y).sum())

    history = History()
    n, start = len(Xtr), 0
    if RESUME:
        start = RESUME["epoch"]
        resume_state(model, opt, sched)
    for epoch in range(start, EPOCHS):
        model.train()
        loss_sum, right, taken = 0.0, 0, 0
        if RESUME and epoch == start:  # the batches the page took before the export
            loss_sum, right, taken = RESUME["loss_sum"], RESUME["correct"], RESUME["rows"]
        lr = opt.param_groups[0]["lr"]
        for idx in batches(epoch)[taken // (BATCH_SIZE or n):]:
            idx = torch.from_numpy(idx)
            opt.zero_grad()
            logits = model(Xtr[idx])
            loss = loss_fn(logits, ytr[idx])
            loss_sum += loss.item() * len(idx)  # the page's training loss: the batches' mean, before each update
            right += correct(logits, y_train[idx.numpy()])
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
        model.eval()
        with torch.no_grad():
            logits = model(Xte)
            test_loss = loss_fn(logits, yte).item() if len(Xte) else math.nan
            test_acc = correct(logits, y_test) / len(Xte) if len(Xte) else math.nan
        history.add(epoch + 1, loss_sum / n, test_loss, right / n, test_acc, lr)
    history.close(test_acc)
${footer(facts)}`;
}

/** A runnable NumPy script (forward and backward by hand) for the run described by `facts`. */
export function numpyScript(facts) {
  return `${header('The playground run, in NumPy: forward and backward written out by hand.', facts)}

# %% The network: forward, backward, update
_erf = np.vectorize(math.erf)


def activate(kind, z):
    if kind == "relu":
        return np.maximum(z, 0)
    if kind == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if kind == "elu":
        return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if kind == "gelu":
        return 0.5 * z * (1 + _erf(z / math.sqrt(2)))
    return z


def activate_grad(kind, z, a):
    if kind == "relu":
        return (z > 0).astype(float)
    if kind == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if kind == "tanh":
        return 1 - a ** 2
    if kind == "sigmoid":
        return a * (1 - a)
    if kind == "elu":
        return np.where(z > 0, 1.0, a + ELU_ALPHA)
    if kind == "gelu":
        return 0.5 * (1 + _erf(z / math.sqrt(2))) + z * np.exp(-0.5 * z ** 2) / math.sqrt(2 * math.pi)
    return np.ones_like(z)


L = len(sizes) - 1
W, B, GAMMA, BETA = [], [], [], []
RUN_MEAN = [np.zeros(n) for n in HIDDEN]
RUN_VAR = [np.ones(n) for n in HIDDEN]


def forward(X, train):
    """Returns the logits and, per layer, what backward needs: (input, pre-activation, batch-norm terms)."""
    cache, a = [], X
    for l in range(L - 1):
        z = a @ W[l] + B[l]
        bn = None
        if BATCH_NORM:
            if train:
                mu, var = z.mean(axis=0), z.var(axis=0)
                m = len(z)
                if m > 1:  # one row has no unbiased variance: the running statistics stay
                    RUN_MEAN[l] = (1 - BN_MOMENTUM) * RUN_MEAN[l] + BN_MOMENTUM * mu
                    RUN_VAR[l] = (1 - BN_MOMENTUM) * RUN_VAR[l] + BN_MOMENTUM * var * m / (m - 1)
            else:
                mu, var = RUN_MEAN[l], RUN_VAR[l]
            inv = 1 / np.sqrt(var + BN_EPS)
            xhat = (z - mu) * inv
            bn = (xhat, inv)
            z = GAMMA[l] * xhat + BETA[l]
        cache.append((a, z, bn))
        a = activate(ACTIVATIONS[l], z)
    cache.append((a, None, None))
    return a @ W[-1] + B[-1], cache


def output(z):
    if OUTPUT == "sigmoid_bce":
        return 1 / (1 + np.exp(-z))
    if OUTPUT == "softmax_ce":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def loss_of(z, y):
    """The mean loss, computed from the logits so that it stays finite."""
    if OUTPUT == "sigmoid_bce":
        t = y[:, None]
        return float((np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))).mean())
    if OUTPUT == "softmax_ce":
        zmax = z.max(axis=1)
        log_sum_exp = zmax + np.log(np.exp(z - zmax[:, None]).sum(axis=1))
        return float((log_sum_exp - z[np.arange(len(y)), y]).mean())
    return float(((z[:, 0] - y) ** 2).mean())


def backward(z, y, cache):
    """The gradients, in the order of params: every W, every b, then every gamma and beta."""
    n = len(y)
    p = output(z)
    if OUTPUT == "softmax_ce":
        delta = p.copy()
        delta[np.arange(n), y] -= 1
        delta /= n
    else:
        # sigmoid + BCE and identity + MSE: (y_pred - y_true) / n, twice that for MSE
        delta = (p - y[:, None]) / n * (2 if OUTPUT == "identity_mse" else 1)
    gW, gB = [None] * L, [None] * L
    gGamma, gBeta = [None] * (L - 1), [None] * (L - 1)
    for l in reversed(range(L)):
        a_in = cache[l][0]
        gW[l] = a_in.T @ delta
        gB[l] = delta.sum(axis=0)
        if l == 0:
            break
        _, z_prev, bn = cache[l - 1]
        dz = (delta @ W[l].T) * activate_grad(ACTIVATIONS[l - 1], z_prev, cache[l][0])
        if BATCH_NORM:
            xhat, inv = bn
            gGamma[l - 1] = (dz * xhat).sum(axis=0)
            gBeta[l - 1] = dz.sum(axis=0)
            m = len(dz)
            dz = GAMMA[l - 1] * inv / m * (m * dz - gBeta[l - 1] - xhat * gGamma[l - 1])
        delta = dz
    for l in range(L):
        if REGULARIZATION == "l1":
            gW[l] = gW[l] + LAMBDA * np.sign(W[l])
        elif REGULARIZATION == "l2":
            gW[l] = gW[l] + LAMBDA * W[l]
    return gW + gB + (gGamma + gBeta if BATCH_NORM else [])


${numpyClipAndUpdate()}${numpyTrainingLoop()}${footer(facts)}`;
}

/** The NumPy script's training loop: epochs of shuffled batches, then the test set. */
function numpyTrainingLoop() {
  return `# %% Training loop


def resume_state(state):
    """A run exported in progress: its batch-norm statistics and optimizer buffers; returns its step count."""
    RUN_MEAN[:] = [np.array(m) for m in RESUME["running_mean"]]
    RUN_VAR[:] = [np.array(v) for v in RESUME["running_var"]]
    names = {"sgd": ["buf"], "rmsprop": ["buf", "sq"], "adam": ["m", "v", "vmax"], "adagrad": ["sum"]}
    names["adamw"] = names["adam"]
    for name, buffer in zip(names[OPTIMIZER], ["s1", "s2", "s3"]):
        W_, B_, GAMMA_, BETA_ = unpack(RESUME[buffer])
        for s, value in zip(state, W_ + B_ + (GAMMA_ + BETA_ if BATCH_NORM else [])):
            s[name] = value
    return RESUME["step"]


def main():
    W[:], B[:], GAMMA[:], BETA[:] = unpack(PARAMS)
    params = W + B + (GAMMA + BETA if BATCH_NORM else [])
    state = [dict() for _ in params]
    history = History()
    n, t, start = len(X_train), 0, 0
    if RESUME:
        start, t = RESUME["epoch"], resume_state(state)
    for epoch in range(start, EPOCHS):
        lr = lr_at(epoch)
        loss_sum, right, taken = 0.0, 0, 0
        if RESUME and epoch == start:  # the batches the page took before the export
            loss_sum, right, taken = RESUME["loss_sum"], RESUME["correct"], RESUME["rows"]
        for idx in batches(epoch)[taken // (BATCH_SIZE or n):]:
            z, cache = forward(X_train[idx], train=True)
            loss_sum += loss_of(z, y_train[idx]) * len(idx)  # the page's training loss: the batches' mean, before each update
            right += int((predicted(output(z)) == y_train[idx]).sum())
            t += 1
            update(params, clip(backward(z, y_train[idx], cache)), state, t, lr)
        z, _ = forward(X_test, train=False)
        test_loss = loss_of(z, y_test) if len(X_test) else math.nan
        test_acc = float((predicted(output(z)) == y_test).mean()) if len(X_test) else math.nan
        history.add(epoch + 1, loss_sum / n, test_loss, right / n, test_acc, lr)
    history.close(test_acc)
`;
}


/** The NumPy script's clipping and its optimizers' update rules. */
function numpyClipAndUpdate() {
  return `def clip(grads):
    if CLIPPING == "norm":
        norm = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        coef = CLIP_AT / (norm + 1e-6)
        if coef < 1:
            return [g * coef for g in grads]
    elif CLIPPING == "value":
        return [np.clip(g, -CLIP_AT, CLIP_AT) for g in grads]
    return grads


def update(params, grads, state, t, lr):
    """One step of the optimizer on every parameter, as torch.optim does it."""
    for p, g, s in zip(params, grads, state):
        if OPTIMIZER != "adamw":
            g = g + WEIGHT_DECAY * p
        if OPTIMIZER == "sgd":
            if MOMENTUM:
                s["buf"] = g.copy() if t == 1 else MOMENTUM * s["buf"] + (1 - DAMPENING) * g
                g = g + MOMENTUM * s["buf"] if NESTEROV else s["buf"]
            p -= lr * g
        elif OPTIMIZER == "rmsprop":
            s["sq"] = ALPHA * s.get("sq", 0) + (1 - ALPHA) * g * g
            avg = np.sqrt(s["sq"]) + EPS
            if MOMENTUM:
                s["buf"] = MOMENTUM * s.get("buf", 0) + g / avg
                p -= lr * s["buf"]
            else:
                p -= lr * g / avg
        elif OPTIMIZER in ("adam", "adamw"):
            if OPTIMIZER == "adamw":
                p *= 1 - lr * WEIGHT_DECAY
            b1, b2 = BETAS
            s["m"] = s.get("m", 0) + (1 - b1) * (g - s.get("m", 0))
            s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
            v = np.maximum(s.get("vmax", 0), s["v"]) if AMSGRAD else s["v"]
            s["vmax"] = v
            p -= lr / (1 - b1 ** t) * s["m"] / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + EPS)
        else:
            s["sum"] = s.get("sum", INITIAL_ACCUMULATOR) + g * g
            p -= lr / (1 + (t - 1) * LR_DECAY) * g / (np.sqrt(s["sum"]) + EPS)


`;
}
