//! Batch normalisation over the batch axis (`BatchNorm1d`), forward and backward side by side.
//!
//! Matrices are feature-major (`[n, m]`: each feature's m batch values contiguous).
//! Training mode normalises with the batch's mean and biased variance and
//! updates running statistics with the unbiased variance (PyTorch's rule);
//! eval mode uses the running statistics.

/// PyTorch's defaults.
pub const BN_EPS: f64 = 1e-5;
pub const BN_MOMENTUM: f64 = 0.1;

/// Running mean and (unbiased) variance of one layer's features.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

impl RunningStats {
    /// PyTorch's initial state: mean 0, variance 1.
    pub fn new(n: usize) -> Self {
        Self {
            mean: vec![0.0; n],
            var: vec![1.0; n],
        }
    }
}

/// Training forward — z: [n, m] -> y: [n, m], keeping `xhat: [n, m]` and
/// `inv_std: [n]` for the backward pass; updates `running` when given, unless
/// `m == 1` (one row has no unbiased variance; PyTorch refuses such a batch).
#[allow(clippy::too_many_arguments)]
pub fn forward_train(
    z: &[f64],
    y: &mut [f64],
    xhat: &mut [f64],
    inv_std: &mut [f64],
    gamma: &[f64],
    beta: &[f64],
    mut running: Option<&mut RunningStats>,
    m: usize,
    n: usize,
) {
    for j in 0..n {
        let zj = &z[j * m..(j + 1) * m];
        let mean = zj.iter().sum::<f64>() / m as f64;
        let var = zj.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m as f64;
        let is = 1.0 / (var + BN_EPS).sqrt();
        inv_std[j] = is;
        let (g, b) = (gamma[j], beta[j]);
        for ((xh, y), &zv) in xhat[j * m..(j + 1) * m]
            .iter_mut()
            .zip(&mut y[j * m..(j + 1) * m])
            .zip(zj)
        {
            *xh = (zv - mean) * is;
            *y = g * *xh + b;
        }
        if let (Some(running), true) = (running.as_deref_mut(), m > 1) {
            let unbiased = var * m as f64 / (m - 1) as f64;
            running.mean[j] = (1.0 - BN_MOMENTUM) * running.mean[j] + BN_MOMENTUM * mean;
            running.var[j] = (1.0 - BN_MOMENTUM) * running.var[j] + BN_MOMENTUM * unbiased;
        }
    }
}

/// Training backward — dy: [n, m] -> dz: [n, m], dgamma: [n], dbeta: [n].
///
/// `dz = inv_std / m * (m * dxhat - Σ dxhat - xhat * Σ (dxhat * xhat))` with `dxhat = dy * gamma`.
#[allow(clippy::too_many_arguments)]
pub fn backward_train(
    dy: &[f64],
    xhat: &[f64],
    inv_std: &[f64],
    gamma: &[f64],
    dz: &mut [f64],
    dgamma: &mut [f64],
    dbeta: &mut [f64],
    m: usize,
    n: usize,
) {
    for j in 0..n {
        let (dyj, xhj) = (&dy[j * m..(j + 1) * m], &xhat[j * m..(j + 1) * m]);
        let sum_dy = crate::kernels::sum(dyj);
        let sum_dy_xhat = crate::kernels::dot(dyj, xhj);
        dgamma[j] = sum_dy_xhat;
        dbeta[j] = sum_dy;
        let k = gamma[j] * inv_std[j] / m as f64;
        for ((d, &g), &xh) in dz[j * m..(j + 1) * m].iter_mut().zip(dyj).zip(xhj) {
            *d = k * (m as f64 * g - sum_dy - xh * sum_dy_xhat);
        }
    }
}

/// Eval forward with running statistics — z: [n, m] -> y: [n, m].
pub fn forward_eval(
    z: &[f64],
    y: &mut [f64],
    gamma: &[f64],
    beta: &[f64],
    running: &RunningStats,
    m: usize,
    n: usize,
) {
    for j in 0..n {
        let is = 1.0 / (running.var[j] + BN_EPS).sqrt();
        let (scale, shift) = (gamma[j] * is, beta[j] - gamma[j] * is * running.mean[j]);
        for (y, &zv) in y[j * m..(j + 1) * m].iter_mut().zip(&z[j * m..(j + 1) * m]) {
            *y = scale * zv + shift;
        }
    }
}
