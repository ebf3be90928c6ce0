//! Optimizers over the flat parameter vector, each one flat loop following
//! PyTorch's single-tensor (`foreach=False`) implementation:
//! <https://pytorch.org/docs/stable/optim.html>.
//!
//! Weight decay, where an optimizer has it, applies to every parameter
//! (biases included), as `torch.optim` does with a single parameter group.

use serde::Serialize;

use crate::error::{ConfigError, Result};
use crate::range::Range;

/// Largest learning rate accepted: anything up to it either trains or is reported as diverged.
pub const MAX_LR: f64 = 1e6;
/// A learning rate: positive, at most `MAX_LR`.
pub const LR: Range = Range::above_to(0.0, MAX_LR);
/// Momentum and the moving averages' decay rates (betas, RMSprop's alpha): `[0, 1)`.
pub const DECAY: Range = Range::from_below(0.0, 1.0);
/// The small constant added to denominators: any finite number above 0.
pub const EPS: Range = Range::above(0.0);
/// SGD's dampening: `[0, 1]`.
pub const DAMPENING: Range = Range::closed(0.0, 1.0);
/// Weight decay, lr decay and other rates that may be zero: finite and `>= 0`.
pub const NON_NEGATIVE: Range = Range::at_least(0.0);

/// Momentum for SGD: none, classical (heavy ball), or Nesterov.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Momentum {
    #[default]
    None,
    /// `buf = mu * buf + (1 - dampening) * g; p -= lr * buf`.
    Classic(f64),
    /// `buf` as above; `p -= lr * (g + mu * buf)`.
    Nesterov(f64),
}

/// `torch.optim.SGD`. Defaults: lr 0.1 (the tutorial's), no momentum, dampening 0, weight decay 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SgdConfig {
    pub lr: f64,
    pub momentum: Momentum,
    pub dampening: f64,
    pub weight_decay: f64,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self {
            lr: 0.1,
            momentum: Momentum::None,
            dampening: 0.0,
            weight_decay: 0.0,
        }
    }
}

/// `torch.optim.RMSprop` (not centred). Defaults: lr 0.01, alpha 0.99, eps 1e-8, momentum 0,
/// weight decay 0. Like PyTorch, eps is added *outside* the square root: `g / (sqrt(v) + eps)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RmsPropConfig {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub momentum: f64,
    pub weight_decay: f64,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
            momentum: 0.0,
            weight_decay: 0.0,
        }
    }
}

/// `torch.optim.Adam`. Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0
/// (coupled: added to the gradient, i.e. L2), AMSGrad off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdamConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
        }
    }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay `p *= 1 - lr * weight_decay`.
/// Defaults as Adam's, but weight decay 0.01.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdamWConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            weight_decay: 0.01,
            ..AdamWConfig::from(AdamConfig::default())
        }
    }
}

impl From<AdamConfig> for AdamWConfig {
    fn from(c: AdamConfig) -> Self {
        Self {
            lr: c.lr,
            beta1: c.beta1,
            beta2: c.beta2,
            eps: c.eps,
            weight_decay: c.weight_decay,
            amsgrad: c.amsgrad,
        }
    }
}

/// `torch.optim.Adagrad`. Defaults: lr 0.01, lr decay 0, eps 1e-10, weight decay 0,
/// initial accumulator 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdagradConfig {
    pub lr: f64,
    pub lr_decay: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub initial_accumulator_value: f64,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        Self {
            lr: 0.01,
            lr_decay: 0.0,
            eps: 1e-10,
            weight_decay: 0.0,
            initial_accumulator_value: 0.0,
        }
    }
}

/// Which optimizer, with its hyper-parameters. In a config: `{"kind": "adam", "lr": 0.001}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerConfig {
    Sgd(SgdConfig),
    #[serde(rename = "rmsprop")]
    RmsProp(RmsPropConfig),
    Adam(AdamConfig),
    #[serde(rename = "adamw")]
    AdamW(AdamWConfig),
    Adagrad(AdagradConfig),
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self::Sgd(SgdConfig::default())
    }
}

impl OptimizerConfig {
    /// The base learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            Self::Sgd(c) => c.lr,
            Self::RmsProp(c) => c.lr,
            Self::Adam(c) => c.lr,
            Self::AdamW(c) => c.lr,
            Self::Adagrad(c) => c.lr,
        }
    }

    /// The same optimizer with base learning rate `lr`.
    pub fn with_lr(mut self, lr: f64) -> Self {
        match &mut self {
            Self::Sgd(c) => c.lr = lr,
            Self::RmsProp(c) => c.lr = lr,
            Self::Adam(c) => c.lr = lr,
            Self::AdamW(c) => c.lr = lr,
            Self::Adagrad(c) => c.lr = lr,
        }
        self
    }

    /// Checks every hyper-parameter; errors name `optimizer.<field>` and the value.
    pub fn validate(&self) -> Result<()> {
        LR.check("optimizer.lr", self.lr())?;
        match *self {
            Self::Sgd(c) => {
                if let Momentum::Classic(mu) | Momentum::Nesterov(mu) = c.momentum {
                    DECAY.check("optimizer.momentum", mu)?;
                }
                DAMPENING.check("optimizer.dampening", c.dampening)?;
                NON_NEGATIVE.check("optimizer.weight_decay", c.weight_decay)
            }
            Self::RmsProp(c) => {
                DECAY.check("optimizer.alpha", c.alpha)?;
                EPS.check("optimizer.eps", c.eps)?;
                DECAY.check("optimizer.momentum", c.momentum)?;
                NON_NEGATIVE.check("optimizer.weight_decay", c.weight_decay)
            }
            Self::Adam(AdamConfig {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            })
            | Self::AdamW(AdamWConfig {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            }) => {
                DECAY.check("optimizer.beta1", beta1)?;
                DECAY.check("optimizer.beta2", beta2)?;
                EPS.check("optimizer.eps", eps)?;
                NON_NEGATIVE.check("optimizer.weight_decay", weight_decay)
            }
            Self::Adagrad(c) => {
                NON_NEGATIVE.check("optimizer.lr_decay", c.lr_decay)?;
                EPS.check("optimizer.eps", c.eps)?;
                NON_NEGATIVE.check("optimizer.weight_decay", c.weight_decay)?;
                NON_NEGATIVE.check("optimizer.initial_accumulator_value", c.initial_accumulator_value)
            }
        }
    }

    fn same_kind(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// An optimizer and its per-parameter state (momentum buffers, moment estimates).
#[derive(Debug, Clone, PartialEq)]
pub struct Optimizer {
    config: OptimizerConfig,
    /// Steps taken (PyTorch's `state['step']`), 1-based once stepping.
    t: u64,
    /// First buffer: SGD/RMSprop momentum, Adam's `m`, Adagrad's sum of squares.
    s1: Vec<f64>,
    /// Second buffer: RMSprop's and Adam's `v`.
    s2: Vec<f64>,
    /// Third buffer: AMSGrad's running max of `v`.
    s3: Vec<f64>,
}

impl Optimizer {
    /// An optimizer for `n_params` parameters; `config` must be valid.
    pub fn new(config: OptimizerConfig, n_params: usize) -> Result<Self> {
        config.validate()?;
        let s1_init = match config {
            OptimizerConfig::Adagrad(c) => c.initial_accumulator_value,
            _ => 0.0,
        };
        Ok(Self {
            config,
            t: 0,
            s1: vec![s1_init; n_params],
            s2: vec![0.0; n_params],
            s3: vec![0.0; n_params],
        })
    }

    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// Changes hyper-parameters in place, keeping the state when the kind is the same;
    /// a different kind starts from fresh state.
    pub fn set_config(&mut self, config: OptimizerConfig) -> Result<()> {
        config.validate()?;
        if self.config.same_kind(&config) {
            self.config = config;
        } else {
            *self = Self::new(config, self.s1.len())?;
        }
        Ok(())
    }

    /// The optimizer's state buffers, for inspection or export: `(t, s1, s2, s3)`.
    pub fn state(&self) -> (u64, &[f64], &[f64], &[f64]) {
        (self.t, &self.s1, &self.s2, &self.s3)
    }

    /// What each of the three buffers holds for this optimizer's kind. The
    /// kind never changes while the state lives (`set_config` with another
    /// kind starts fresh state), so a buffer the kind never writes is still 0.
    fn buffer_kinds(&self) -> [BufferKind; 3] {
        use BufferKind::{Accumulator, Signed, SquareMean, Unused};
        match self.config {
            // The momentum buffer (kept, though unused, while momentum is off).
            OptimizerConfig::Sgd(_) => [Signed, Unused, Unused],
            // The momentum buffer and the mean of squared gradients.
            OptimizerConfig::RmsProp(_) => [Signed, SquareMean, Unused],
            // m, v, and AMSGrad's running max of v.
            OptimizerConfig::Adam(_) | OptimizerConfig::AdamW(_) => [Signed, SquareMean, SquareMean],
            OptimizerConfig::Adagrad(_) => [Accumulator, Unused, Unused],
        }
    }

    /// Restores state saved by `state()`, checked against what this kind of
    /// optimizer can hold: each buffer has one value per parameter, all
    /// finite; squared-gradient buffers are `>= 0`; a buffer the kind never
    /// writes is 0; and before the first step (`t == 0`) every buffer still
    /// holds its start. Errors name `optimizer.s<k>` or `optimizer.s<k>[<i>]`
    /// and the value; nothing changes on an error. (`t` itself is checked
    /// against the run's step count by whoever restores both.)
    pub fn set_state(&mut self, t: u64, s1: &[f64], s2: &[f64], s3: &[f64]) -> Result<()> {
        let n = self.s1.len();
        for (k, (buffer, kind)) in [s1, s2, s3].into_iter().zip(self.buffer_kinds()).enumerate() {
            if buffer.len() != n {
                return Err(ConfigError::invalid(
                    format!("optimizer.s{}", k + 1),
                    format!("expected {n} values (one per parameter), got {}", buffer.len()),
                ));
            }
            for (i, &v) in buffer.iter().enumerate() {
                if let Some(expected) = kind.broken_rule(v, t, buffer[0]) {
                    return Err(ConfigError::out_of_range(
                        format!("optimizer.s{}[{i}]", k + 1),
                        expected,
                        v,
                    ));
                }
            }
        }
        self.t = t;
        self.s1.copy_from_slice(s1);
        self.s2.copy_from_slice(s2);
        self.s3.copy_from_slice(s3);
        Ok(())
    }

    /// One update of `params` from `grads` with learning rate `lr` (the schedule's
    /// value for this epoch; the config's `lr` is the base rate).
    pub fn step(&mut self, params: &mut [f64], grads: &[f64], lr: f64) {
        // Saturates rather than wrap to 0, where Adam's bias corrections would
        // divide by zero; at u64::MAX every bias correction is long since 1.
        self.t = self.t.saturating_add(1);
        let t = self.t;
        let (s1, s2, s3) = (&mut self.s1, &mut self.s2, &mut self.s3);
        match self.config {
            OptimizerConfig::Sgd(c) => {
                for i in 0..params.len() {
                    let mut g = grads[i] + c.weight_decay * params[i];
                    match c.momentum {
                        Momentum::None => {}
                        Momentum::Classic(mu) | Momentum::Nesterov(mu) => {
                            s1[i] = if t == 1 {
                                g
                            } else {
                                mu * s1[i] + (1.0 - c.dampening) * g
                            };
                            g = match c.momentum {
                                Momentum::Nesterov(_) => g + mu * s1[i],
                                _ => s1[i],
                            };
                        }
                    }
                    params[i] -= lr * g;
                }
            }
            OptimizerConfig::RmsProp(c) => {
                for i in 0..params.len() {
                    let g = grads[i] + c.weight_decay * params[i];
                    s2[i] = c.alpha * s2[i] + (1.0 - c.alpha) * g * g;
                    let avg = s2[i].sqrt() + c.eps;
                    if c.momentum > 0.0 {
                        s1[i] = c.momentum * s1[i] + g / avg;
                        params[i] -= lr * s1[i];
                    } else {
                        params[i] -= lr * g / avg;
                    }
                }
            }
            OptimizerConfig::Adam(c) => {
                let h = AdamStep::new(c.beta1, c.beta2, c.eps, c.amsgrad, lr, t);
                for i in 0..params.len() {
                    let g = grads[i] + c.weight_decay * params[i];
                    h.update(&mut params[i], g, &mut s1[i], &mut s2[i], &mut s3[i]);
                }
            }
            OptimizerConfig::AdamW(c) => {
                let h = AdamStep::new(c.beta1, c.beta2, c.eps, c.amsgrad, lr, t);
                for i in 0..params.len() {
                    params[i] *= 1.0 - lr * c.weight_decay;
                    h.update(&mut params[i], grads[i], &mut s1[i], &mut s2[i], &mut s3[i]);
                }
            }
            OptimizerConfig::Adagrad(c) => {
                let clr = lr / (1.0 + (t - 1) as f64 * c.lr_decay);
                for i in 0..params.len() {
                    let g = grads[i] + c.weight_decay * params[i];
                    s1[i] += g * g;
                    params[i] -= clr * g / (s1[i].sqrt() + c.eps);
                }
            }
        }
    }
}

/// What an optimizer keeps in one of its state buffers (for checking restored state).
#[derive(Debug, Clone, Copy)]
enum BufferKind {
    /// Never written by this kind of optimizer: stays 0.
    Unused,
    /// A momentum buffer or first moment: any finite value, 0 at the start.
    Signed,
    /// A (running mean or max of) squared gradients: `>= 0`, 0 at the start.
    SquareMean,
    /// Adagrad's sum of squared gradients: `>= 0`, starting from one initial
    /// value for every parameter (a live change of that value keeps the state).
    Accumulator,
}

impl BufferKind {
    /// The rule a restored value `v` breaks, if any, as the range an error
    /// states; `t` is the optimizer's step count, `first` the buffer's first value.
    fn broken_rule(self, v: f64, t: u64, first: f64) -> Option<&'static str> {
        let squares = matches!(self, Self::SquareMean | Self::Accumulator);
        if !v.is_finite() {
            Some("finite")
        } else if squares && v < 0.0 {
            Some("finite and >= 0 (a sum or mean of squared gradients)")
        } else {
            match self {
                Self::Unused => (v != 0.0).then_some("0 (this optimizer never writes this buffer)"),
                Self::Accumulator => (t == 0 && v != first).then_some(
                    "equal to the first value before the first step (t = 0): the initial accumulator",
                ),
                Self::Signed | Self::SquareMean => {
                    (t == 0 && v != 0.0).then_some("0 before the first step (t = 0)")
                }
            }
        }
    }
}

/// The per-step constants of Adam's update.
struct AdamStep {
    beta1: f64,
    beta2: f64,
    eps: f64,
    amsgrad: bool,
    step_size: f64,
    bc2_sqrt: f64,
}

impl AdamStep {
    fn new(beta1: f64, beta2: f64, eps: f64, amsgrad: bool, lr: f64, t: u64) -> Self {
        // `beta^t` by repeated multiplication while `t` fits `powi`; beyond
        // that (2^31 steps, more than a day of training) by `powf`, since a
        // beta close to 1 still has a bias to correct there.
        let pow = |beta: f64| match i32::try_from(t) {
            Ok(t) => beta.powi(t),
            Err(_) => beta.powf(t as f64),
        };
        Self {
            beta1,
            beta2,
            eps,
            amsgrad,
            step_size: lr / (1.0 - pow(beta1)),
            bc2_sqrt: (1.0 - pow(beta2)).sqrt(),
        }
    }

    /// `m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)`.
    #[inline]
    fn update(&self, p: &mut f64, g: f64, m: &mut f64, v: &mut f64, vmax: &mut f64) {
        *m += (1.0 - self.beta1) * (g - *m); // torch: exp_avg.lerp_(grad, 1 - beta1)
        *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
        let v_used = if self.amsgrad {
            *vmax = vmax.max(*v);
            *vmax
        } else {
            *v
        };
        let denom = v_used.sqrt() / self.bc2_sqrt + self.eps;
        *p -= self.step_size * *m / denom;
    }
}
