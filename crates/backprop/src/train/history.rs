//! Per-epoch metrics kept in bounded memory: when full, every other older
//! record is dropped (halving their density) while the most recent stay exact.

/// One epoch's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    pub epoch: f64,
    pub train_loss: f64,
    pub train_acc: f64,
    pub test_loss: f64,
    pub test_acc: f64,
    pub lr: f64,
    /// Fraction of the epoch's steps whose gradients were clipped.
    pub clipped: f64,
    /// Per-layer gradient norm (weights and biases) at the epoch's last step.
    pub grad_norms: &'a [f64],
}

/// Columns of per-epoch figures, each a plain `Vec<f64>` (zero-copy views for JS).
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    cap: usize,
    recent: usize,
    n_layers: usize,
    pub epoch: Vec<f64>,
    pub train_loss: Vec<f64>,
    pub train_acc: Vec<f64>,
    pub test_loss: Vec<f64>,
    pub test_acc: Vec<f64>,
    pub lr: Vec<f64>,
    pub clipped: Vec<f64>,
    /// `[len, n_layers]` row-major.
    pub grad_norms: Vec<f64>,
}

/// Default bound: 4096 records, the latest 1024 always exact.
pub const HISTORY_CAP: usize = 4096;
pub const HISTORY_RECENT: usize = 1024;

impl History {
    /// The series' names, in the order `series` knows them.
    pub const SERIES: [&'static str; 8] = [
        "epoch",
        "train_loss",
        "train_acc",
        "test_loss",
        "test_acc",
        "lr",
        "clipped",
        "grad_norms",
    ];

    /// The series called `name` (one of `SERIES`), or `None`.
    pub fn series(&self, name: &str) -> Option<&[f64]> {
        Some(match name {
            "epoch" => &self.epoch,
            "train_loss" => &self.train_loss,
            "train_acc" => &self.train_acc,
            "test_loss" => &self.test_loss,
            "test_acc" => &self.test_acc,
            "lr" => &self.lr,
            "clipped" => &self.clipped,
            "grad_norms" => &self.grad_norms,
            _ => return None,
        })
    }

    /// Capacity is reserved up front, so pushing never reallocates.
    pub fn new(n_layers: usize, cap: usize, recent: usize) -> Self {
        let cap = cap.max(4);
        let recent = recent.min(cap / 2);
        let col = || Vec::with_capacity(cap);
        Self {
            cap,
            recent,
            n_layers,
            epoch: col(),
            train_loss: col(),
            train_acc: col(),
            test_loss: col(),
            test_acc: col(),
            lr: col(),
            clipped: col(),
            grad_norms: Vec::with_capacity(cap * n_layers),
        }
    }

    pub fn len(&self) -> usize {
        self.epoch.len()
    }
    pub fn is_empty(&self) -> bool {
        self.epoch.is_empty()
    }
    pub fn n_layers(&self) -> usize {
        self.n_layers
    }

    pub fn push(&mut self, r: Record<'_>) {
        if self.len() == self.cap {
            self.compact();
        }
        self.epoch.push(r.epoch);
        self.train_loss.push(r.train_loss);
        self.train_acc.push(r.train_acc);
        self.test_loss.push(r.test_loss);
        self.test_acc.push(r.test_acc);
        self.lr.push(r.lr);
        self.clipped.push(r.clipped);
        for l in 0..self.n_layers {
            self.grad_norms
                .push(r.grad_norms.get(l).copied().unwrap_or(f64::NAN));
        }
    }

    /// Drops every other record older than the `recent` newest, in place.
    fn compact(&mut self) {
        let len = self.len();
        let old = len - self.recent;
        let keep = |i: usize| i >= old || i.is_multiple_of(2);
        for col in [
            &mut self.epoch,
            &mut self.train_loss,
            &mut self.train_acc,
            &mut self.test_loss,
            &mut self.test_acc,
            &mut self.lr,
            &mut self.clipped,
        ] {
            let mut i = 0;
            col.retain(|_| {
                i += 1;
                keep(i - 1)
            });
        }
        let n = self.n_layers;
        let mut w = 0;
        for i in (0..len).filter(|&i| keep(i)) {
            self.grad_norms.copy_within(i * n..(i + 1) * n, w * n);
            w += 1;
        }
        self.grad_norms.truncate(w * n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(e: f64, norms: &[f64]) -> Record<'_> {
        Record {
            epoch: e,
            train_loss: e,
            train_acc: 0.5,
            test_loss: e,
            test_acc: 0.5,
            lr: 0.1,
            clipped: 0.0,
            grad_norms: norms,
        }
    }

    #[test]
    fn stays_bounded_keeps_recent_exact_and_never_reallocates() {
        let mut h = History::new(2, 64, 16);
        let capacity = h.epoch.capacity();
        for e in 0..10_000 {
            h.push(record(e as f64, &[e as f64, -(e as f64)]));
            assert!(h.len() <= 64);
        }
        assert_eq!(h.epoch.capacity(), capacity);
        let tail: Vec<f64> = h.epoch[h.len() - 16..].to_vec();
        assert_eq!(tail, (9984..10_000).map(|e| e as f64).collect::<Vec<_>>());
        assert_eq!(h.epoch[0], 0.0, "the first epoch survives every compaction");
        assert!(h.epoch.windows(2).all(|w| w[0] < w[1]), "still in order");
        for (i, &e) in h.epoch.iter().enumerate() {
            assert_eq!(h.grad_norms[2 * i], e, "norm rows follow their epochs");
            assert_eq!(h.grad_norms[2 * i + 1], -e);
        }
    }
}
