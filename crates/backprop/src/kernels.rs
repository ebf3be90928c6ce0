//! The products backprop needs, on feature-major slices: an activation
//! matrix `a: [features, rows]` stores each feature's values over the batch
//! contiguously, so every inner loop runs over the rows (the batch, hundreds
//! long) and vectorises, however narrow the layer. Weights keep the
//! reference layout `W: [n_in, n_out]` row-major. Nothing here allocates.

/// Rows handled together in registers by the blocked kernels.
const BLOCK: usize = 8;

/// `out[c, r] = init[c] + Σ_p coef(p, c) · x[p, r]` for every output `c < n_out`,
/// summing over `p < k` — x: [k, m], out: [n_out, m]. Each block of 8 rows
/// accumulates in registers over the (small) fan-in and is stored once.
#[inline(always)]
fn blocked_combine(
    x: &[f64],
    out: &mut [f64],
    m: usize,
    k: usize,
    n_out: usize,
    init: impl Fn(usize) -> f64,
    coef: impl Fn(usize, usize) -> f64,
) {
    let full = m - m % BLOCK;
    // With f64x2 lanes, pairs of outputs share each loaded block of inputs.
    #[cfg(lanes)]
    let paired = n_out - n_out % 2;
    #[cfg(not(lanes))]
    let paired = 0;
    #[cfg(lanes)]
    for c in (0..paired).step_by(2) {
        let (o0, o1) = out[c * m..(c + 2) * m].split_at_mut(m);
        let mut r = 0;
        while r < full {
            simd::combine_pair(
                x,
                [&mut o0[r..r + BLOCK], &mut o1[r..r + BLOCK]],
                m,
                r,
                k,
                [init(c), init(c + 1)],
                |p| [coef(p, c), coef(p, c + 1)],
            );
            r += BLOCK;
        }
        for (q, oc) in [o0, o1].into_iter().enumerate() {
            for r in full..m {
                let mut acc = init(c + q);
                for p in 0..k {
                    acc += coef(p, c + q) * x[p * m + r];
                }
                oc[r] = acc;
            }
        }
    }
    for c in paired..n_out {
        let oc = &mut out[c * m..(c + 1) * m];
        let mut r = 0;
        while r < full {
            #[cfg(lanes)]
            simd::combine_block(x, &mut oc[r..r + BLOCK], m, r, k, init(c), |p| coef(p, c));
            #[cfg(not(lanes))]
            {
                let mut acc = [init(c); BLOCK];
                for p in 0..k {
                    let w = coef(p, c);
                    let xs = &x[p * m + r..p * m + r + BLOCK];
                    for l in 0..BLOCK {
                        acc[l] += w * xs[l];
                    }
                }
                oc[r..r + BLOCK].copy_from_slice(&acc);
            }
            r += BLOCK;
        }
        for r in full..m {
            let mut acc = init(c);
            for p in 0..k {
                acc += coef(p, c) * x[p * m + r];
            }
            oc[r] = acc;
        }
    }
}

/// `z = (a_prevᵀ W + b)ᵀ` — a: [k, m], w: [k, n], bias: [n] -> z: [n, m].
#[inline]
pub fn dense_forward(a: &[f64], w: &[f64], bias: &[f64], z: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(a.len() >= k * m && w.len() >= k * n && z.len() >= n * m && bias.len() >= n);
    blocked_combine(a, z, m, k, n, |j| bias[j], |p, j| w[p * n + j]);
}

/// `dW = a_prev · dzᵀ`, `db = Σ_rows dz` — a: [k, m], dz: [n, m] -> dw: [k, n], db: [n].
#[inline]
pub fn dense_backward_params(
    a: &[f64],
    dz: &[f64],
    dw: &mut [f64],
    db: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert!(a.len() >= k * m && dz.len() >= n * m && dw.len() >= k * n && db.len() >= n);
    for j in 0..n {
        let dzj = &dz[j * m..(j + 1) * m];
        db[j] = sum(dzj);
        // With f64x2 lanes, pairs of inputs share each loaded block of dz.
        #[cfg(lanes)]
        let paired = k - k % 2;
        #[cfg(not(lanes))]
        let paired = 0;
        #[cfg(lanes)]
        for p in (0..paired).step_by(2) {
            let [d0, d1] = simd::dot_pair(&a[p * m..(p + 1) * m], &a[(p + 1) * m..(p + 2) * m], dzj);
            dw[p * n + j] = d0;
            dw[(p + 1) * n + j] = d1;
        }
        for p in paired..k {
            dw[p * n + j] = dot(&a[p * m..(p + 1) * m], dzj);
        }
    }
}

/// `da_prev = W · dz` — dz: [n, m], w: [k, n] -> da: [k, m].
#[inline]
pub fn dense_backward_input(dz: &[f64], w: &[f64], da: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(dz.len() >= n * m && w.len() >= k * n && da.len() >= k * m);
    blocked_combine(dz, da, m, n, k, |_| 0.0, |j, p| w[p * n + j]);
}

/// `y += alpha * x`.
#[inline]
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// `Σ x·y` with eight independent partial sums, so the compiler may use SIMD lanes.
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    #[cfg(lanes)]
    return simd::dot(x, y);
    #[cfg(not(lanes))]
    dot_scalar(x, y)
}

#[cfg_attr(lanes, allow(dead_code))]
#[inline]
fn dot_scalar(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut acc = [0.0f64; 8];
    let mut xc = x.chunks_exact(8);
    let mut yc = y.chunks_exact(8);
    for (a, b) in (&mut xc).zip(&mut yc) {
        for l in 0..8 {
            acc[l] += a[l] * b[l];
        }
    }
    let tail: f64 = xc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(a, b)| a * b)
        .sum();
    acc.iter().sum::<f64>() + tail
}

/// `Σ x` with eight independent partial sums.
#[inline]
pub fn sum(x: &[f64]) -> f64 {
    #[cfg(lanes)]
    return simd::sum(x);
    #[cfg(not(lanes))]
    sum_scalar(x)
}

#[cfg_attr(lanes, allow(dead_code))]
#[inline]
fn sum_scalar(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut c = x.chunks_exact(8);
    for a in &mut c {
        for l in 0..8 {
            acc[l] += a[l];
        }
    }
    acc.iter().sum::<f64>() + c.remainder().iter().sum::<f64>()
}

/// Row-major `[rows, cols]` into feature-major `[cols, rows]` (or back, swapping the sizes).
pub fn transpose(src: &[f64], dst: &mut [f64], rows: usize, cols: usize) {
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

/// Explicit two-lane f64 SIMD for the loops LLVM leaves scalar: on wasm32 it
/// does not vectorise the register-blocked accumulation (a profile showed
/// `forward` with no `f64x2` instruction at all). Written once over a tiny
/// lane API with two back ends: wasm `simd128` and x86-64 SSE2 (part of the
/// x86-64 baseline, so no runtime detection). Same sums in the same order per
/// lane as the scalar code, so results are bit-identical to it; the kernel
/// tests run natively on this path, the wasm tests in the browser.
#[cfg(lanes)]
mod simd {
    #[cfg(target_arch = "wasm32")]
    mod lane {
        pub use core::arch::wasm32::v128 as V;
        use core::arch::wasm32::{
            f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, v128_load, v128_store,
        };
        #[inline(always)]
        pub fn splat(x: f64) -> V {
            f64x2_splat(x)
        }
        #[inline(always)]
        pub fn add(a: V, b: V) -> V {
            f64x2_add(a, b)
        }
        #[inline(always)]
        pub fn mul(a: V, b: V) -> V {
            f64x2_mul(a, b)
        }
        #[inline(always)]
        pub fn lanes(v: V) -> [f64; 2] {
            [f64x2_extract_lane::<0>(v), f64x2_extract_lane::<1>(v)]
        }
        /// # Safety
        /// `p` points to two readable f64.
        #[inline(always)]
        pub unsafe fn load(p: *const f64) -> V {
            // SAFETY: the caller's contract; v128_load has no alignment requirement.
            unsafe { v128_load(p.cast()) }
        }
        /// # Safety
        /// `p` points to two writable f64.
        #[inline(always)]
        pub unsafe fn store(p: *mut f64, v: V) {
            // SAFETY: the caller's contract; v128_store has no alignment requirement.
            unsafe { v128_store(p.cast(), v) }
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod lane {
        pub use core::arch::x86_64::__m128d as V;
        use core::arch::x86_64::{
            _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set1_pd, _mm_storeu_pd, _mm_unpackhi_pd,
        };
        #[inline(always)]
        pub fn splat(x: f64) -> V {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { _mm_set1_pd(x) }
        }
        #[inline(always)]
        pub fn add(a: V, b: V) -> V {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { _mm_add_pd(a, b) }
        }
        #[inline(always)]
        pub fn mul(a: V, b: V) -> V {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { _mm_mul_pd(a, b) }
        }
        #[inline(always)]
        pub fn lanes(v: V) -> [f64; 2] {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { [_mm_cvtsd_f64(v), _mm_cvtsd_f64(_mm_unpackhi_pd(v, v))] }
        }
        /// # Safety
        /// `p` points to two readable f64.
        #[inline(always)]
        pub unsafe fn load(p: *const f64) -> V {
            // SAFETY: the caller's contract; loadu has no alignment requirement.
            unsafe { _mm_loadu_pd(p) }
        }
        /// # Safety
        /// `p` points to two writable f64.
        #[inline(always)]
        pub unsafe fn store(p: *mut f64, v: V) {
            // SAFETY: the caller's contract; storeu has no alignment requirement.
            unsafe { _mm_storeu_pd(p, v) }
        }
    }

    use lane::{V, add, mul, splat};
    #[inline(always)]
    fn f64x2_splat(x: f64) -> V {
        splat(x)
    }
    #[inline(always)]
    fn f64x2_add(a: V, b: V) -> V {
        add(a, b)
    }
    #[inline(always)]
    fn f64x2_mul(a: V, b: V) -> V {
        mul(a, b)
    }

    /// Two lanes from `s[i..i + 2]`.
    #[inline(always)]
    fn load(s: &[f64], i: usize) -> V {
        assert!(i + 2 <= s.len());
        // SAFETY: checked above that two f64 are in bounds.
        unsafe { lane::load(s.as_ptr().add(i)) }
    }

    /// `out[l] = init + Σ_p coef(p) · x[p * m + r + l]` for the 8 rows `l` of one block.
    #[inline(always)]
    pub(super) fn combine_block(
        x: &[f64],
        out: &mut [f64],
        m: usize,
        r: usize,
        k: usize,
        init: f64,
        coef: impl Fn(usize) -> f64,
    ) {
        let i = f64x2_splat(init);
        let (mut a0, mut a1, mut a2, mut a3) = (i, i, i, i);
        for p in 0..k {
            let w = f64x2_splat(coef(p));
            let xs = &x[p * m + r..p * m + r + 8];
            a0 = f64x2_add(a0, f64x2_mul(w, load(xs, 0)));
            a1 = f64x2_add(a1, f64x2_mul(w, load(xs, 2)));
            a2 = f64x2_add(a2, f64x2_mul(w, load(xs, 4)));
            a3 = f64x2_add(a3, f64x2_mul(w, load(xs, 6)));
        }
        let out = &mut out[..8];
        // SAFETY: `out` has 8 f64; each store writes two of them, in bounds.
        unsafe {
            let o = out.as_mut_ptr();
            lane::store(o, a0);
            lane::store(o.add(2), a1);
            lane::store(o.add(4), a2);
            lane::store(o.add(6), a3);
        }
    }

    /// `Σ x`: the same eight partial sums as the scalar version.
    #[inline(always)]
    pub(super) fn sum(x: &[f64]) -> f64 {
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let full = x.len() - x.len() % 8;
        let mut i = 0;
        while i < full {
            let xs = &x[i..i + 8];
            a0 = f64x2_add(a0, load(xs, 0));
            a1 = f64x2_add(a1, load(xs, 2));
            a2 = f64x2_add(a2, load(xs, 4));
            a3 = f64x2_add(a3, load(xs, 6));
            i += 8;
        }
        lanes_sum([a0, a1, a2, a3]) + x[full..].iter().sum::<f64>()
    }

    /// The eight partial sums in four lane pairs, added in the scalar order.
    #[inline(always)]
    fn lanes_sum(lanes: [V; 4]) -> f64 {
        let mut acc = [0.0; 8];
        for (j, v) in lanes.iter().enumerate() {
            let [l0, l1] = lane::lanes(*v);
            acc[2 * j] = l0;
            acc[2 * j + 1] = l1;
        }
        acc.iter().sum::<f64>()
    }

    /// `combine_block` for two outputs at once: each block of `x` is loaded once.
    #[inline(always)]
    pub(super) fn combine_pair(
        x: &[f64],
        out: [&mut [f64]; 2],
        m: usize,
        r: usize,
        k: usize,
        init: [f64; 2],
        coef: impl Fn(usize) -> [f64; 2],
    ) {
        let (i0, i1) = (f64x2_splat(init[0]), f64x2_splat(init[1]));
        let (mut a0, mut a1, mut a2, mut a3) = (i0, i0, i0, i0);
        let (mut b0, mut b1, mut b2, mut b3) = (i1, i1, i1, i1);
        for p in 0..k {
            let [c0, c1] = coef(p);
            let (w0, w1) = (f64x2_splat(c0), f64x2_splat(c1));
            let xs = &x[p * m + r..p * m + r + 8];
            let (x0, x1, x2, x3) = (load(xs, 0), load(xs, 2), load(xs, 4), load(xs, 6));
            a0 = f64x2_add(a0, f64x2_mul(w0, x0));
            a1 = f64x2_add(a1, f64x2_mul(w0, x1));
            a2 = f64x2_add(a2, f64x2_mul(w0, x2));
            a3 = f64x2_add(a3, f64x2_mul(w0, x3));
            b0 = f64x2_add(b0, f64x2_mul(w1, x0));
            b1 = f64x2_add(b1, f64x2_mul(w1, x1));
            b2 = f64x2_add(b2, f64x2_mul(w1, x2));
            b3 = f64x2_add(b3, f64x2_mul(w1, x3));
        }
        let [out0, out1] = out;
        store8(out0, [a0, a1, a2, a3]);
        store8(out1, [b0, b1, b2, b3]);
    }

    /// Stores four lane pairs into `out[..8]`.
    #[inline(always)]
    fn store8(out: &mut [f64], v: [V; 4]) {
        let out = &mut out[..8];
        // SAFETY: `out` has 8 f64; each store writes two of them, in bounds.
        unsafe {
            let o = out.as_mut_ptr();
            lane::store(o, v[0]);
            lane::store(o.add(2), v[1]);
            lane::store(o.add(4), v[2]);
            lane::store(o.add(6), v[3]);
        }
    }

    /// `[Σ x0·y, Σ x1·y]`, each exactly as `dot` sums it, loading `y` once.
    #[inline(always)]
    pub(super) fn dot_pair(x0: &[f64], x1: &[f64], y: &[f64]) -> [f64; 2] {
        let n = x0.len().min(x1.len()).min(y.len());
        let (x0, x1, y) = (&x0[..n], &x1[..n], &y[..n]);
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
        let full = n - n % 8;
        let mut i = 0;
        while i < full {
            let ys = &y[i..i + 8];
            let (y0, y1, y2, y3) = (load(ys, 0), load(ys, 2), load(ys, 4), load(ys, 6));
            let (p, q) = (&x0[i..i + 8], &x1[i..i + 8]);
            a0 = f64x2_add(a0, f64x2_mul(load(p, 0), y0));
            a1 = f64x2_add(a1, f64x2_mul(load(p, 2), y1));
            a2 = f64x2_add(a2, f64x2_mul(load(p, 4), y2));
            a3 = f64x2_add(a3, f64x2_mul(load(p, 6), y3));
            b0 = f64x2_add(b0, f64x2_mul(load(q, 0), y0));
            b1 = f64x2_add(b1, f64x2_mul(load(q, 2), y1));
            b2 = f64x2_add(b2, f64x2_mul(load(q, 4), y2));
            b3 = f64x2_add(b3, f64x2_mul(load(q, 6), y3));
            i += 8;
        }
        let t0: f64 = x0[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        let t1: f64 = x1[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        [lanes_sum([a0, a1, a2, a3]) + t0, lanes_sum([b0, b1, b2, b3]) + t1]
    }

    /// `Σ x·y`: the same eight partial sums as the scalar version, in four lane pairs.
    #[inline(always)]
    pub(super) fn dot(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len().min(y.len());
        let (x, y) = (&x[..n], &y[..n]);
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let full = n - n % 8;
        let mut i = 0;
        while i < full {
            let (xs, ys) = (&x[i..i + 8], &y[i..i + 8]);
            a0 = f64x2_add(a0, f64x2_mul(load(xs, 0), load(ys, 0)));
            a1 = f64x2_add(a1, f64x2_mul(load(xs, 2), load(ys, 2)));
            a2 = f64x2_add(a2, f64x2_mul(load(xs, 4), load(ys, 4)));
            a3 = f64x2_add(a3, f64x2_mul(load(xs, 6), load(ys, 6)));
            i += 8;
        }
        let tail: f64 = x[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        lanes_sum([a0, a1, a2, a3]) + tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn close(x: &[f64], y: &[f64]) -> bool {
        x.len() == y.len() && x.iter().zip(y).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    fn t(a: &Array2<f64>) -> Vec<f64> {
        a.t().iter().copied().collect()
    }

    #[test]
    fn kernels_agree_with_ndarray_dot() {
        // 13 rows: more than one SIMD chunk, with a remainder.
        let (m, k, n) = (13, 3, 4);
        let x = Array2::from_shape_fn((m, k), |(i, j)| (i as f64 - 2.0) * 0.3 + j as f64 * 0.7);
        let w = Array2::from_shape_fn((k, n), |(i, j)| (i * 4 + j) as f64 * 0.1 - 0.5);
        let bias = [0.5, -1.0, 2.0, 0.0];
        let mut z = vec![0.0; n * m];
        dense_forward(&t(&x), w.as_slice().unwrap(), &bias, &mut z, m, k, n);
        assert!(close(&z, &t(&(x.dot(&w) + ndarray::arr1(&bias)))));

        let dz = Array2::from_shape_fn((m, n), |(i, j)| (i as f64) - (j as f64) * 0.25);
        let (mut dw, mut db) = (vec![9.0; k * n], vec![9.0; n]);
        dense_backward_params(&t(&x), &t(&dz), &mut dw, &mut db, m, k, n);
        assert!(close(&dw, x.t().dot(&dz).as_slice().unwrap()));
        assert!(close(&db, &dz.sum_axis(ndarray::Axis(0)).to_vec()));

        let mut dx = vec![9.0; k * m];
        dense_backward_input(&t(&dz), w.as_slice().unwrap(), &mut dx, m, k, n);
        assert!(close(&dx, &t(&dz.dot(&w.t()))));

        let mut back = vec![0.0; m * k];
        transpose(&t(&x), &mut back, k, m);
        assert_eq!(back, x.as_slice().unwrap());
    }
}
