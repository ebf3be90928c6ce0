//! Standardisation: scikit-learn's `StandardScaler`, fitted on training rows only.

use ndarray::{Array2, ArrayView2};

/// Per-feature `mean` and `scale` (the population standard deviation), as
/// scikit-learn stores them. A feature with zero variance gets `scale = 1`,
/// so it is centred but never divided by zero.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardScaler {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fits on the rows of `x: [n, d]`. An empty `x` gives the identity transform.
    ///
    /// Computed so that any finite data gets a finite, non-zero scale: the mean
    /// sums `x / n` (no overflow near 1e308), and the deviations are divided by
    /// their largest magnitude before squaring (no overflow at 1e300 and no
    /// underflow to zero at 1e-300, where squaring directly would lose them).
    pub fn fit(x: ArrayView2<f64>) -> Self {
        let (n, d) = x.dim();
        if n == 0 {
            return Self::identity(d);
        }
        let nf = n as f64;
        let mean: Vec<f64> = (0..d).map(|j| x.column(j).iter().map(|v| v / nf).sum()).collect();
        let scale = (0..d)
            .map(|j| {
                let col = x.column(j);
                let m = col.iter().fold(0.0f64, |m, v| m.max((v - mean[j]).abs()));
                let s = if m > 0.0 && m.is_finite() {
                    m * (col.iter().map(|v| ((v - mean[j]) / m).powi(2)).sum::<f64>() / nf).sqrt()
                } else {
                    0.0
                };
                if s.is_finite() && s > 0.0 { s } else { 1.0 }
            })
            .collect();
        Self { mean, scale }
    }

    /// The transform that changes nothing (scaling turned off).
    pub fn identity(d: usize) -> Self {
        Self {
            mean: vec![0.0; d],
            scale: vec![1.0; d],
        }
    }

    /// `(x - mean) / scale`, in place.
    pub fn transform_inplace(&self, x: &mut Array2<f64>) {
        for mut row in x.rows_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (*v - self.mean[j]) / self.scale[j];
            }
        }
    }

    /// One point from data space to model space.
    pub fn transform_point(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] - self.mean[0]) / self.scale[0],
            (p[1] - self.mean[1]) / self.scale[1],
        ]
    }

    /// One point from model space back to data space.
    pub fn inverse_point(&self, p: [f64; 2]) -> [f64; 2] {
        [
            p[0] * self.scale[0] + self.mean[0],
            p[1] * self.scale[1] + self.mean[1],
        ]
    }
}
