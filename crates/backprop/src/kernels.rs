//! The three matrix products backprop needs, on row-major slices, written
//! out by hand: they allocate nothing (matrixmultiply packs into a fresh
//! buffer on every call) and the inner loops are contiguous, so they vectorise.

/// `c = a @ b + bias` — a: [m, k], b: [k, n], bias: [n] -> c: [m, n].
#[inline]
pub fn matmul_bias(a: &[f64], b: &[f64], bias: &[f64], c: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n && bias.len() >= n);
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        ci.copy_from_slice(&bias[..n]);
        let ai = &a[i * k..(i + 1) * k];
        for (p, &aip) in ai.iter().enumerate() {
            let bp = &b[p * n..(p + 1) * n];
            for (c, &b) in ci.iter_mut().zip(bp) {
                *c += aip * b;
            }
        }
    }
}

/// `c = aᵀ @ d` — a: [m, k], d: [m, n] -> c: [k, n] (e.g. `dW = xᵀ · dz`).
#[inline]
pub fn matmul_at_b(a: &[f64], d: &[f64], c: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(a.len() >= m * k && d.len() >= m * n && c.len() >= k * n);
    c[..k * n].fill(0.0);
    for i in 0..m {
        let di = &d[i * n..(i + 1) * n];
        for (p, &aip) in a[i * k..(i + 1) * k].iter().enumerate() {
            let cp = &mut c[p * n..(p + 1) * n];
            for (c, &d) in cp.iter_mut().zip(di) {
                *c += aip * d;
            }
        }
    }
}

/// `c = d @ bᵀ` — d: [m, n], b: [k, n] -> c: [m, k] (e.g. `da_prev = dz · Wᵀ`).
#[inline]
pub fn matmul_a_bt(d: &[f64], b: &[f64], c: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(d.len() >= m * n && b.len() >= k * n && c.len() >= m * k);
    for i in 0..m {
        let di = &d[i * n..(i + 1) * n];
        for p in 0..k {
            let bp = &b[p * n..(p + 1) * n];
            c[i * k + p] = di.iter().zip(bp).map(|(x, y)| x * y).sum();
        }
    }
}

/// Column sums — d: [m, n] -> out: [n] (e.g. `db = Σ_rows dz`).
#[inline]
pub fn col_sums(d: &[f64], out: &mut [f64], m: usize, n: usize) {
    out[..n].fill(0.0);
    for row in d[..m * n].chunks_exact(n) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn kernels_agree_with_ndarray_dot() {
        let a = Array2::from_shape_fn((5, 3), |(i, j)| (i as f64 - 2.0) * 0.3 + j as f64 * 0.7);
        let b = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 * 0.1 - 0.5);
        let bias = [0.5, -1.0, 2.0, 0.0];
        let mut c = vec![0.0; 20];
        matmul_bias(
            a.as_slice().unwrap(),
            b.as_slice().unwrap(),
            &bias,
            &mut c,
            5,
            3,
            4,
        );
        // ndarray sums in another order: agreement to round-off, not bit for bit.
        let close = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(x, y)| (x - y).abs() < 1e-12);
        let expected = a.dot(&b) + ndarray::arr1(&bias);
        assert!(close(&c, expected.as_slice().unwrap()));

        let d = Array2::from_shape_fn((5, 4), |(i, j)| (i as f64) - (j as f64) * 0.25);
        let mut dw = vec![1.0; 12];
        matmul_at_b(a.as_slice().unwrap(), d.as_slice().unwrap(), &mut dw, 5, 3, 4);
        assert!(close(&dw, &a.t().dot(&d).iter().copied().collect::<Vec<_>>()));

        let mut dx = vec![0.0; 15];
        matmul_a_bt(d.as_slice().unwrap(), b.as_slice().unwrap(), &mut dx, 5, 3, 4);
        assert!(close(&dx, &d.dot(&b.t()).iter().copied().collect::<Vec<_>>()));

        let mut sums = vec![0.0; 4];
        col_sums(d.as_slice().unwrap(), &mut sums, 5, 4);
        assert!(close(&sums, &d.sum_axis(ndarray::Axis(0)).to_vec()));
    }
}
