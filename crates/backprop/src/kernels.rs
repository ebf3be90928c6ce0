//! The products backprop needs, on feature-major slices: an activation
//! matrix `a: [features, rows]` stores each feature's values over the batch
//! contiguously, so every inner loop runs over the rows (the batch, hundreds
//! long) and vectorises, however narrow the layer. Weights keep the
//! reference layout `W: [n_in, n_out]` row-major. Nothing here allocates.

/// Rows handled together in registers by the blocked kernels.
const BLOCK: usize = 8;

/// What the blocked kernel does with each finished block besides storing it.
#[derive(Clone, Copy)]
enum Epilogue<'a> {
    /// Store the sums.
    Store,
    /// Store the sums in `out` and their ReLU in this `[n_out, m]` matrix.
    Relu(&'a [std::cell::Cell<f64>]),
    /// Store the sums where this `[n_out, m]` matrix is positive, else 0
    /// (the ReLU derivative applied to a delta).
    ReluMask(&'a [f64]),
}

/// `out[c, r] = init[c] + Σ_p coef(p, c) · x[p, r]` for every output `c < n_out`,
/// summing over `p < k` — x: [k, m], out: [n_out, m] — then `epi`. Each
/// block of 8 rows accumulates in registers over the (small) fan-in and is
/// finished and stored once.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocked_combine(
    x: &[f64],
    out: &mut [f64],
    m: usize,
    k: usize,
    n_out: usize,
    init: impl Fn(usize) -> f64,
    coef: impl Fn(usize, usize) -> f64,
    epi: Epilogue<'_>,
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
            let [a, b] = simd::combine_pair(x, m, r, k, [init(c), init(c + 1)], |p| {
                [coef(p, c), coef(p, c + 1)]
            });
            simd::finish(a, &mut o0[r..r + BLOCK], epi, c * m + r);
            simd::finish(b, &mut o1[r..r + BLOCK], epi, (c + 1) * m + r);
            r += BLOCK;
        }
    }
    for c in paired..n_out {
        let oc = &mut out[c * m..(c + 1) * m];
        let mut r = 0;
        while r < full {
            #[cfg(lanes)]
            {
                let acc = simd::combine_block(x, m, r, k, init(c), |p| coef(p, c));
                simd::finish(acc, &mut oc[r..r + BLOCK], epi, c * m + r);
            }
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
                for (l, v) in acc.into_iter().enumerate() {
                    oc[r + l] = finish_one(v, epi, c * m + r + l);
                }
            }
            r += BLOCK;
        }
    }
    for c in 0..n_out {
        for r in full..m {
            let mut acc = init(c);
            for p in 0..k {
                acc += coef(p, c) * x[p * m + r];
            }
            out[c * m + r] = finish_one(acc, epi, c * m + r);
        }
    }
}

/// `Epilogue` for one value at index `i` of the output; returns what `out` stores.
#[inline(always)]
fn finish_one(v: f64, epi: Epilogue<'_>, i: usize) -> f64 {
    match epi {
        Epilogue::Store => v,
        Epilogue::Relu(act) => {
            act[i].set(crate::activation::relu(v));
            v
        }
        Epilogue::ReluMask(z) => {
            if z[i] > 0.0 {
                v
            } else {
                0.0
            }
        }
    }
}

/// `z = (a_prevᵀ W + b)ᵀ` — a: [k, m], w: [k, n], bias: [n] -> z: [n, m].
#[inline]
pub fn dense_forward(a: &[f64], w: &[f64], bias: &[f64], z: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(a.len() >= k * m && w.len() >= k * n && z.len() >= n * m && bias.len() >= n);
    blocked_combine(a, z, m, k, n, |j| bias[j], |p, j| w[p * n + j], Epilogue::Store);
}

/// `dense_forward` with the ReLU fused in: `z` as there, and `act = max(z, 0)`
/// (as `Activation::Relu`) written from the same registers.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn dense_forward_relu(
    a: &[f64],
    w: &[f64],
    bias: &[f64],
    z: &mut [f64],
    act: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert!(act.len() >= n * m);
    let act = std::cell::Cell::from_mut(&mut act[..n * m]).as_slice_of_cells();
    blocked_combine(
        a,
        z,
        m,
        k,
        n,
        |j| bias[j],
        |p, j| w[p * n + j],
        Epilogue::Relu(act),
    );
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
        // With f64x2 lanes, pairs of inputs share each loaded block of dz,
        // and the first pair also sums it for db.
        #[cfg(lanes)]
        let paired = k - k % 2;
        #[cfg(not(lanes))]
        let paired = 0;
        if paired == 0 {
            db[j] = sum(dzj);
        }
        #[cfg(lanes)]
        for p in (0..paired).step_by(2) {
            let (x0, x1) = (&a[p * m..(p + 1) * m], &a[(p + 1) * m..(p + 2) * m]);
            let [d0, d1] = if p == 0 {
                let [d0, d1, s] = simd::dot_pair::<true>(x0, x1, dzj);
                db[j] = s;
                [d0, d1]
            } else {
                let [d0, d1, _] = simd::dot_pair::<false>(x0, x1, dzj);
                [d0, d1]
            };
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
    blocked_combine(dz, da, m, n, k, |_| 0.0, |j, p| w[p * n + j], Epilogue::Store);
}

/// `dense_backward_input` through a ReLU: `da_prev = (W · dz) ⊙ [z_prev > 0]`
/// (as `Activation::Relu`'s derivative), masked in the same registers.
#[inline]
pub fn dense_backward_input_relu(
    dz: &[f64],
    w: &[f64],
    z_prev: &[f64],
    da: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert!(dz.len() >= n * m && w.len() >= k * n && da.len() >= k * m && z_prev.len() >= k * m);
    blocked_combine(
        dz,
        da,
        m,
        n,
        k,
        |_| 0.0,
        |j, p| w[p * n + j],
        Epilogue::ReluMask(z_prev),
    );
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
            f64x2_add, f64x2_extract_lane, f64x2_gt, f64x2_mul, f64x2_pmax, f64x2_splat, v128_and, v128_load,
            v128_store,
        };
        /// `max(v, 0)` per lane as `activation::relu`: `0 < v ? v : 0` (NaN gives 0).
        #[inline(always)]
        pub fn relu(v: V) -> V {
            f64x2_pmax(f64x2_splat(0.0), v)
        }
        /// `v` where `z > 0`, else +0, per lane.
        #[inline(always)]
        pub fn mask_positive(v: V, z: V) -> V {
            v128_and(v, f64x2_gt(z, f64x2_splat(0.0)))
        }
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
            _mm_add_pd, _mm_and_pd, _mm_cmpgt_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_max_pd, _mm_mul_pd,
            _mm_set1_pd, _mm_setzero_pd, _mm_storeu_pd, _mm_unpackhi_pd,
        };
        /// `max(v, 0)` per lane as `activation::relu`: maxpd returns its second
        /// operand unless `v > 0` (NaN gives 0).
        #[inline(always)]
        pub fn relu(v: V) -> V {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { _mm_max_pd(v, _mm_setzero_pd()) }
        }
        /// `v` where `z > 0`, else +0, per lane.
        #[inline(always)]
        pub fn mask_positive(v: V, z: V) -> V {
            // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
            unsafe { _mm_and_pd(v, _mm_cmpgt_pd(z, _mm_setzero_pd())) }
        }
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

    use super::Epilogue;
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

    /// `init + Σ_p coef(p) · x[p * m + r + l]` for the 8 rows `l` of one block.
    #[inline(always)]
    pub(super) fn combine_block(
        x: &[f64],
        m: usize,
        r: usize,
        k: usize,
        init: f64,
        coef: impl Fn(usize) -> f64,
    ) -> [V; 4] {
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
        [a0, a1, a2, a3]
    }

    /// Applies `epi` to a finished block (`i`: its first index in the
    /// output matrix) and stores it in `out[..8]`, as `finish_one` does per value.
    #[inline(always)]
    pub(super) fn finish(acc: [V; 4], out: &mut [f64], epi: Epilogue<'_>, i: usize) {
        match epi {
            Epilogue::Store => store8(out, acc),
            Epilogue::Relu(act) => {
                store8(out, acc);
                let cells = &act[i..i + 8];
                // SAFETY: `cells` are 8 contiguous f64 cells that nothing else borrows
                // during this call; each store writes two of them.
                unsafe {
                    let o = cells[0].as_ptr();
                    for (j, v) in acc.into_iter().enumerate() {
                        lane::store(o.add(2 * j), lane::relu(v));
                    }
                }
            }
            Epilogue::ReluMask(z) => {
                let zs = &z[i..i + 8];
                store8(
                    out,
                    [0, 1, 2, 3].map(|j| lane::mask_positive(acc[j], load(zs, 2 * j))),
                );
            }
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
        m: usize,
        r: usize,
        k: usize,
        init: [f64; 2],
        coef: impl Fn(usize) -> [f64; 2],
    ) -> [[V; 4]; 2] {
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
        [[a0, a1, a2, a3], [b0, b1, b2, b3]]
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

    /// `[Σ x0·y, Σ x1·y, Σ y]`, each summed exactly as `dot` and `sum` would,
    /// loading `y` once; without `SUM` the third is 0 and costs nothing.
    #[inline(always)]
    pub(super) fn dot_pair<const SUM: bool>(x0: &[f64], x1: &[f64], y: &[f64]) -> [f64; 3] {
        let n = x0.len().min(x1.len()).min(y.len());
        let (x0, x1, y) = (&x0[..n], &x1[..n], &y[..n]);
        let z = f64x2_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
        let (mut s0, mut s1, mut s2, mut s3) = (z, z, z, z);
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
            if SUM {
                s0 = f64x2_add(s0, y0);
                s1 = f64x2_add(s1, y1);
                s2 = f64x2_add(s2, y2);
                s3 = f64x2_add(s3, y3);
            }
            i += 8;
        }
        let t0: f64 = x0[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        let t1: f64 = x1[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        let sum = if SUM {
            lanes_sum([s0, s1, s2, s3]) + y[full..].iter().sum::<f64>()
        } else {
            0.0
        };
        [
            lanes_sum([a0, a1, a2, a3]) + t0,
            lanes_sum([b0, b1, b2, b3]) + t1,
            sum,
        ]
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
        // db comes from the first pair's pass over dz, summed exactly as `sum`.
        let dz_t = t(&dz);
        for (j, &v) in db.iter().enumerate() {
            assert_eq!(v.to_bits(), sum(&dz_t[j * m..(j + 1) * m]).to_bits());
        }

        let mut dx = vec![9.0; k * m];
        dense_backward_input(&t(&dz), w.as_slice().unwrap(), &mut dx, m, k, n);
        assert!(close(&dx, &t(&dz.dot(&w.t()))));

        let mut back = vec![0.0; m * k];
        transpose(&t(&x), &mut back, k, m);
        assert_eq!(back, x.as_slice().unwrap());
    }

    /// The fused ReLU kernels give exactly the unfused kernel followed by
    /// `Activation::Relu`'s forward and derivative, NaN, ±0 and tails included.
    #[test]
    fn fused_relu_kernels_match_the_separate_passes() {
        use crate::activation::Activation;
        // 21 rows: two SIMD blocks and a tail; 5 outputs: two pairs and a single.
        let (m, k, n) = (21, 3, 5);
        let x: Vec<f64> = (0..k * m)
            .map(|i| ((i * 7919) % 23) as f64 * 0.37 - 4.0)
            .collect();
        let mut w: Vec<f64> = (0..k * n)
            .map(|i| ((i * 104_729) % 17) as f64 * 0.21 - 1.7)
            .collect();
        w[0] = f64::NAN;
        let bias = [0.3, -0.2, 0.0, 1.0, -1.0];
        let (mut z, mut a) = (vec![0.0; n * m], vec![9.0; n * m]);
        dense_forward_relu(&x, &w, &bias, &mut z, &mut a, m, k, n);
        let mut z_ref = vec![0.0; n * m];
        dense_forward(&x, &w, &bias, &mut z_ref, m, k, n);
        let mut a_ref = vec![0.0; n * m];
        Activation::Relu.forward_slice(&z_ref, &mut a_ref);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&z), bits(&z_ref));
        assert_eq!(bits(&a), bits(&a_ref));
        assert!(z.iter().any(|v| v.is_nan()) && a.contains(&0.0));

        // Backward: deltas [n, m] through W into [k, m], masked by z_prev [k, m].
        let dz: Vec<f64> = (0..n * m).map(|i| ((i * 31) % 11) as f64 * 0.5 - 2.5).collect();
        let mut z_prev: Vec<f64> = (0..k * m).map(|i| ((i * 13) % 7) as f64 - 3.0).collect();
        z_prev[1] = -0.0;
        z_prev[2] = f64::NAN;
        let mut da = vec![9.0; k * m];
        dense_backward_input_relu(&dz, &w, &z_prev, &mut da, m, k, n);
        let mut da_ref = vec![0.0; k * m];
        dense_backward_input(&dz, &w, &mut da_ref, m, k, n);
        Activation::Relu.backward_slice(&z_prev, &[], &mut da_ref);
        assert_eq!(bits(&da), bits(&da_ref));
    }
}
