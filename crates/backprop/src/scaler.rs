//! Standardisation: scikit-learn's `StandardScaler`, fitted on training rows only.

use ndarray::{Array2, ArrayView2, Axis};

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
    pub fn fit(x: ArrayView2<f64>) -> Self {
        let (n, d) = x.dim();
        if n == 0 {
            return Self::identity(d);
        }
        let mean: Vec<f64> = x
            .mean_axis(Axis(0))
            .map(|m| m.to_vec())
            .unwrap_or_else(|| vec![0.0; d]);
        let scale = (0..d)
            .map(|j| {
                let var = x.column(j).iter().map(|v| (v - mean[j]).powi(2)).sum::<f64>() / n as f64;
                let s = var.sqrt();
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
