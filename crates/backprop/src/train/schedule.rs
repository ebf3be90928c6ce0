//! Learning-rate schedules, per epoch, in closed form so `lr(e)` can be
//! asked for any epoch (the page plots the whole curve before training).

use serde::Serialize;

use crate::error::{ConfigError, Result};
use crate::range::Range;
use crate::train::optim::{LR, NON_NEGATIVE};

/// A decay factor (`gamma`): `(0, 1]`.
pub const GAMMA: Range = Range::above_to(0.0, 1.0);
/// A length in epochs (`step_size`, `t_max`, `total`): at least one.
pub const EPOCHS: Range = Range::closed(1.0, u32::MAX as f64);
/// Longest learning-rate curve given at once: as many epochs as one step
/// call may run, and a bounded copy for the page.
pub const MAX_CURVE_EPOCHS: u64 = 100_000;

/// A schedule multiplies or replaces the optimizer's base learning rate per epoch.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// The base rate throughout.
    #[default]
    Constant,
    /// `StepLR`: `base * gamma^floor(e / step_size)`.
    Step { step_size: u32, gamma: f64 },
    /// `ExponentialLR`: `base * gamma^e`.
    Exponential { gamma: f64 },
    /// `CosineAnnealingLR`: `eta_min + (base - eta_min)(1 + cos(pi e / t_max)) / 2`,
    /// held at `eta_min` after `t_max` (PyTorch's would rise again).
    Cosine { t_max: u32, eta_min: f64 },
    /// Linear warm-up from 0 over `warmup` epochs, then cosine down to 0 at `total`
    /// (`LambdaLR`, as HuggingFace's `get_cosine_schedule_with_warmup`).
    WarmupCosine { warmup: u32, total: u32 },
    /// `CyclicLR(mode="triangular")` per epoch: from the base rate up to `max_lr`
    /// over `step_size` epochs and back down, repeating.
    Cyclic { max_lr: f64, step_size: u32 },
}

impl Schedule {
    /// The learning rate during epoch `e` (0-based) for base rate `base`.
    pub fn lr(&self, base: f64, e: u64) -> f64 {
        let ef = e as f64;
        match *self {
            Self::Constant => base,
            Self::Step { step_size, gamma } => base * gamma.powf((e / u64::from(step_size.max(1))) as f64),
            Self::Exponential { gamma } => base * gamma.powf(ef),
            Self::Cosine { t_max, eta_min } => {
                let t = ef.min(f64::from(t_max.max(1)));
                eta_min
                    + (base - eta_min) * (1.0 + (std::f64::consts::PI * t / f64::from(t_max.max(1))).cos())
                        / 2.0
            }
            Self::WarmupCosine { warmup, total } => {
                let (w, total) = (f64::from(warmup), f64::from(total));
                let f = if ef < w {
                    ef / w
                } else {
                    let progress = (ef - w) / (total - w).max(1.0);
                    (0.5 * (1.0 + (std::f64::consts::PI * progress).cos())).max(0.0)
                };
                base * if ef >= total { 0.0 } else { f }
            }
            Self::Cyclic { max_lr, step_size } => {
                let s = f64::from(step_size.max(1));
                let cycle = (1.0 + ef / (2.0 * s)).floor();
                let x = (ef / s - 2.0 * cycle + 1.0).abs();
                base + (max_lr - base) * (1.0 - x).max(0.0)
            }
        }
    }

    /// The learning rate at each epoch `0..epochs` for base rate `base` (the
    /// curve the page plots), at most `MAX_CURVE_EPOCHS` of them.
    pub fn curve(&self, base: f64, epochs: u64) -> Vec<f64> {
        (0..epochs.min(MAX_CURVE_EPOCHS))
            .map(|e| self.lr(base, e))
            .collect()
    }

    /// Checks every field; errors name `schedule.<field>` and the value.
    pub fn validate(&self) -> Result<()> {
        let epochs = |field: &str, v: u32| EPOCHS.check_whole(field, u64::from(v));
        match *self {
            Self::Constant => Ok(()),
            Self::Step { step_size, gamma } => {
                epochs("schedule.step_size", step_size)?;
                GAMMA.check("schedule.gamma", gamma)
            }
            Self::Exponential { gamma } => GAMMA.check("schedule.gamma", gamma),
            Self::Cosine { t_max, eta_min } => {
                epochs("schedule.t_max", t_max)?;
                NON_NEGATIVE.check("schedule.eta_min", eta_min)
            }
            Self::WarmupCosine { warmup, total } => {
                epochs("schedule.total", total)?;
                if warmup >= total {
                    return Err(ConfigError::out_of_range(
                        "schedule.warmup",
                        "less than schedule.total",
                        warmup,
                    ));
                }
                Ok(())
            }
            Self::Cyclic { max_lr, step_size } => {
                epochs("schedule.step_size", step_size)?;
                LR.check("schedule.max_lr", max_lr)
            }
        }
    }
}
