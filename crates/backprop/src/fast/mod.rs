//! The products backprop needs, on feature-major slices: an activation
//! matrix `a: [features, rows]` stores each feature's values over the batch
//! contiguously, so every inner loop runs over the rows (the batch, hundreds
//! long) and vectorises, however narrow the layer. Weights keep the
//! reference layout `W: [n_in, n_out]` row-major. Nothing here allocates.
//!
//! Each kernel is written once, generic over a lane back end (`lanes`): 8
//! f64 held in registers as the target allows. Every back end performs the
//! same additions in the same order per value — a block of 8 rows
//! accumulates over the fan-in one term at a time, and a sum over the batch
//! keeps 8 partial sums added in a fixed order — so results are bit-identical
//! whichever runs (a test holds this). Wider back ends only work on more
//! outputs (or rows of dz) at once.
//!
//! The model code (`net::backprop`) calls `dense_forward`,
//! `dense_forward_then`, `dense_backward_params`, `dense_backward_input`,
//! `dense_backward_input_then`, `sum`, `dot` and `wide`. `_then` applies the element-wise function that follows a
//! product; when it is a ReLU, it is applied while the sums are still in
//! registers, else as a second pass. The results are the same either way.

mod lanes;
pub mod math;

use lanes::Lanes8;

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

/// Defines each public kernel as a call of its generic body with the best
/// back end this CPU has: AVX-512F or else AVX2 where an x86-64 CPU reports
/// it at run time (the body is then compiled for it), else the target's
/// baseline (`lanes::Base`).
macro_rules! dispatch {
    ($( $(#[$meta:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $body:ident; )*) => {$(
        $(#[$meta])*
        #[inline]
        #[allow(clippy::too_many_arguments)]
        pub fn $name($($arg: $ty),*) {
            dispatch!(@if "avx512f", has_avx512, Avx512, $body($($arg: $ty),*));
            dispatch!(@if "avx2", has_avx2, Avx2, $body($($arg: $ty),*));
            $body::<lanes::Base>($($arg),*)
        }
    )*};
    // Returns `$body` run on `$lanes`, compiled for `$feature`, if `$has()`.
    (@if $feature:literal, $has:ident, $lanes:ident, $body:ident($($arg:ident: $ty:ty),*)) => {
        #[cfg(target_arch = "x86_64")]
        if lanes::$has() {
            #[target_feature(enable = $feature)]
            #[allow(clippy::too_many_arguments)]
            fn on($($arg: $ty),*) {
                $body::<lanes::$lanes>($($arg),*)
            }
            // SAFETY: the CPU reported `$feature` just above.
            return unsafe { on($($arg),*) };
        }
    };
}

dispatch! {
    /// `z = (a_prevᵀ W + b)ᵀ` — a: [k, m], w: [k, n], bias: [n] -> z: [n, m].
    pub fn dense_forward(a: &[f64], w: &[f64], bias: &[f64], z: &mut [f64], m: usize, k: usize, n: usize)
        => forward_with;

    /// `dense_forward` with the ReLU fused in: `z` as there, and `act = max(z, 0)`
    /// (as `Activation::Relu`) written from the same registers.
    pub fn dense_forward_relu(
        a: &[f64], w: &[f64], bias: &[f64], z: &mut [f64], act: &mut [f64], m: usize, k: usize, n: usize,
    ) => forward_relu_with;

    /// `dW = a_prev · dzᵀ`, `db = Σ_rows dz` — a: [k, m], dz: [n, m] -> dw: [k, n], db: [n].
    pub fn dense_backward_params(
        a: &[f64], dz: &[f64], dw: &mut [f64], db: &mut [f64], m: usize, k: usize, n: usize,
    ) => backward_params_with;

    /// `da_prev = W · dz` — dz: [n, m], w: [k, n] -> da: [k, m].
    pub fn dense_backward_input(dz: &[f64], w: &[f64], da: &mut [f64], m: usize, k: usize, n: usize)
        => backward_input_with;

    /// `dense_backward_input` through a ReLU: `da_prev = (W · dz) ⊙ [z_prev > 0]`
    /// (as `Activation::Relu`'s derivative), masked in the same registers.
    pub fn dense_backward_input_relu(
        dz: &[f64], w: &[f64], z_prev: &[f64], da: &mut [f64], m: usize, k: usize, n: usize,
    ) => backward_input_relu_with;
}

/// An element-wise function a product can be followed by: a hidden layer's
/// activation. `net::Activation` is the one implementation.
pub trait Elementwise: Copy {
    /// `a = f(z)`.
    fn forward(self, z: &[f64], a: &mut [f64]);
    /// `d *= f'(z)`, given `z` and `a = f(z)`.
    fn backward(self, z: &[f64], a: &[f64], d: &mut [f64]);
    /// Whether `f(z) = max(z, 0)` with `f'(0) = 0`, which the kernels can
    /// apply in registers.
    fn is_relu(self) -> bool;
}

/// `z = (a_prevᵀ W + b)ᵀ` then `act = f(z)` — a: [k, m], w: [k, n], bias: [n]
/// -> z, act: [n, m].
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn dense_forward_then<F: Elementwise>(
    a: &[f64],
    w: &[f64],
    bias: &[f64],
    z: &mut [f64],
    f: F,
    act: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    if f.is_relu() {
        dense_forward_relu(a, w, bias, z, act, m, k, n);
    } else {
        dense_forward(a, w, bias, z, m, k, n);
        f.forward(&z[..n * m], &mut act[..n * m]);
    }
}

/// `da_prev = (W · dz) ⊙ f'(z_prev)`, the gradient back through a dense layer
/// and the activation `f` below it (`a_prev = f(z_prev)`) — dz: [n, m],
/// w: [k, n], z_prev, a_prev: [k, m] -> da: [k, m].
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn dense_backward_input_then<F: Elementwise>(
    dz: &[f64],
    w: &[f64],
    f: F,
    z_prev: &[f64],
    a_prev: &[f64],
    da: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    if f.is_relu() {
        dense_backward_input_relu(dz, w, z_prev, da, m, k, n);
    } else {
        dense_backward_input(dz, w, da, m, k, n);
        f.backward(&z_prev[..k * m], &a_prev[..k * m], &mut da[..k * m]);
    }
}

/// Keeps every kernel on the target's baseline lanes (SSE2 on x86-64: the
/// two f64 lanes wasm has too), or lifts that. Results are bit-identical
/// either way; this exists to measure what the wider lanes give. It has no
/// effect on other targets.
pub fn baseline_only(on: bool) {
    #[cfg(target_arch = "x86_64")]
    lanes::BASELINE_ONLY.store(on, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = on;
}

/// Runs `f` compiled with AVX2 where the CPU has it, so the element-wise
/// loops it inlines use four f64 lanes; else as is. The loops must not
/// depend on the lane count for their results (per-element maths does not).
#[inline(always)]
pub fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if lanes::has_avx2() {
        #[target_feature(enable = "avx2")]
        fn run<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU reported AVX2 just above.
        return unsafe { run(f) };
    }
    f()
}

#[inline(always)]
fn forward_with<L: Lanes8>(a: &[f64], w: &[f64], bias: &[f64], z: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(a.len() >= k * m && z.len() >= n * m && bias.len() >= n);
    assert!(w.len() >= k * n);
    // SAFETY: `blocked_combine` calls `coef(p, j)` only with p < k, j < n.
    let coef = |p: usize, j: usize| unsafe { *w.get_unchecked(p * n + j) };
    blocked_combine::<L>(a, z, m, k, n, |j| bias[j], coef, Epilogue::Store);
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_relu_with<L: Lanes8>(
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
    assert!(w.len() >= k * n);
    // SAFETY: `blocked_combine` calls `coef(p, j)` only with p < k, j < n.
    let coef = |p: usize, j: usize| unsafe { *w.get_unchecked(p * n + j) };
    let act = std::cell::Cell::from_mut(&mut act[..n * m]).as_slice_of_cells();
    blocked_combine::<L>(a, z, m, k, n, |j| bias[j], coef, Epilogue::Relu(act));
}

#[inline(always)]
fn backward_params_with<L: Lanes8>(
    a: &[f64],
    dz: &[f64],
    dw: &mut [f64],
    db: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert!(a.len() >= k * m && dz.len() >= n * m && dw.len() >= k * n && db.len() >= n);
    // With registers for a tile, groups of 4 rows of dz share each loaded
    // block of a; always, groups of inputs share each loaded block of dz,
    // and the first group also sums dz for db.
    let mut j = 0;
    if L::GROUP >= 8 {
        while j + 4 <= n {
            params_rows::<L, 4>(a, dz, dw, db, m, k, n, j);
            j += 4;
        }
    }
    while j < n {
        params_rows::<L, 1>(a, dz, dw, db, m, k, n, j);
        j += 1;
    }
}

/// `dw[.., j0 + t]` and `db[j0 + t]` for the `J` rows of dz from `j0`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn params_rows<L: Lanes8, const J: usize>(
    a: &[f64],
    dz: &[f64],
    dw: &mut [f64],
    db: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
    j0: usize,
) {
    let mut p = 0;
    if J == 1 && L::GROUP >= 8 {
        while p + 8 <= k {
            params_tile::<L, 8, J>(a, dz, dw, db, m, n, j0, p);
            p += 8;
        }
    }
    if L::GROUP >= 4 {
        while p + 4 <= k {
            params_tile::<L, 4, J>(a, dz, dw, db, m, n, j0, p);
            p += 4;
        }
    }
    while p + 2 <= k {
        params_tile::<L, 2, J>(a, dz, dw, db, m, n, j0, p);
        p += 2;
    }
    if p < k {
        params_tile::<L, 1, J>(a, dz, dw, db, m, n, j0, p);
    }
}

/// `dw[p + g, j0 + t]` for `g < G`, `t < J`, and `db[j0 + t]` when `p` is the first input.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn params_tile<L: Lanes8, const G: usize, const J: usize>(
    a: &[f64],
    dz: &[f64],
    dw: &mut [f64],
    db: &mut [f64],
    m: usize,
    n: usize,
    j0: usize,
    p: usize,
) {
    let mut xs: [&[f64]; G] = [&[]; G];
    for (g, x) in xs.iter_mut().enumerate() {
        *x = &a[(p + g) * m..(p + g + 1) * m];
    }
    let mut ys: [&[f64]; J] = [&[]; J];
    for (t, y) in ys.iter_mut().enumerate() {
        *y = &dz[(j0 + t) * m..(j0 + t + 1) * m];
    }
    let dots = match (J, p) {
        (1, 0) => {
            let (dots, sum) = dots_and_sum::<L, G, true>(xs, ys[0]);
            db[j0] = sum;
            [dots; J]
        }
        (1, _) => [dots_and_sum::<L, G, false>(xs, ys[0]).0; J],
        (_, 0) => {
            let (dots, sums) = dots_and_sums::<L, G, J, true>(xs, ys);
            db[j0..j0 + J].copy_from_slice(&sums);
            dots
        }
        _ => dots_and_sums::<L, G, J, false>(xs, ys).0,
    };
    for (t, row) in dots.into_iter().enumerate() {
        for (g, d) in row.into_iter().enumerate() {
            dw[(p + g) * n + j0 + t] = d;
        }
    }
}

#[inline(always)]
fn backward_input_with<L: Lanes8>(dz: &[f64], w: &[f64], da: &mut [f64], m: usize, k: usize, n: usize) {
    debug_assert!(dz.len() >= n * m && da.len() >= k * m);
    assert!(w.len() >= k * n);
    // SAFETY: `blocked_combine` calls `coef(j, p)` only with j < n, p < k.
    let coef = |j: usize, p: usize| unsafe { *w.get_unchecked(p * n + j) };
    blocked_combine::<L>(dz, da, m, n, k, |_| 0.0, coef, Epilogue::Store);
}

#[inline(always)]
fn backward_input_relu_with<L: Lanes8>(
    dz: &[f64],
    w: &[f64],
    z_prev: &[f64],
    da: &mut [f64],
    m: usize,
    k: usize,
    n: usize,
) {
    debug_assert!(dz.len() >= n * m && da.len() >= k * m && z_prev.len() >= k * m);
    assert!(w.len() >= k * n);
    // SAFETY: `blocked_combine` calls `coef(j, p)` only with j < n, p < k.
    let coef = |j: usize, p: usize| unsafe { *w.get_unchecked(p * n + j) };
    blocked_combine::<L>(dz, da, m, n, k, |_| 0.0, coef, Epilogue::ReluMask(z_prev));
}

/// `out[c, r] = init[c] + Σ_p coef(p, c) · x[p, r]` for every output `c < n_out`,
/// summing over `p < k` — x: [k, m], out: [n_out, m] — then `epi`. Each
/// block of 8 rows accumulates in registers over the (small) fan-in and is
/// finished and stored once; groups of outputs share each loaded block.
/// It calls `coef` only with `p < k` and `c < n_out`, which the callers'
/// unchecked reads rely on, and reads `x`'s blocks unchecked after one
/// length check (a bounds check per read is a large share of an epoch:
/// `cargo xtask bench` shows it if they are put back).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocked_combine<L: Lanes8>(
    x: &[f64],
    out: &mut [f64],
    m: usize,
    k: usize,
    n_out: usize,
    init: impl Fn(usize) -> f64,
    coef: impl Fn(usize, usize) -> f64,
    epi: Epilogue<'_>,
) {
    assert!(x.len() >= k * m);
    let full = m - m % BLOCK;
    let mut c = 0;
    if L::GROUP >= 8 {
        while c + 8 <= n_out {
            combine_group::<L, 8>(x, out, m, k, full, c, &init, &coef, epi);
            c += 8;
        }
    }
    if L::GROUP >= 4 {
        while c + 4 <= n_out {
            combine_group::<L, 4>(x, out, m, k, full, c, &init, &coef, epi);
            c += 4;
        }
    }
    while c + 2 <= n_out {
        combine_group::<L, 2>(x, out, m, k, full, c, &init, &coef, epi);
        c += 2;
    }
    if c < n_out {
        combine_group::<L, 1>(x, out, m, k, full, c, &init, &coef, epi);
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

/// The full blocks of rows of the `G` outputs from `c0`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn combine_group<L: Lanes8, const G: usize>(
    x: &[f64],
    out: &mut [f64],
    m: usize,
    k: usize,
    full: usize,
    c0: usize,
    init: &impl Fn(usize) -> f64,
    coef: &impl Fn(usize, usize) -> f64,
    epi: Epilogue<'_>,
) {
    let mut r = 0;
    while r < full {
        let mut acc = [L::fill(0.0); G];
        for (g, a) in acc.iter_mut().enumerate() {
            *a = L::fill(init(c0 + g));
        }
        for p in 0..k {
            // SAFETY: p < k and r + 8 <= full <= m, and x holds k · m values
            // (checked by the caller, `blocked_combine`).
            let xs = unsafe { L::load_ptr(x.as_ptr().add(p * m + r)) };
            for (g, a) in acc.iter_mut().enumerate() {
                *a = a.mul_add(L::splat(coef(p, c0 + g)), xs);
            }
        }
        for (g, a) in acc.into_iter().enumerate() {
            let i = (c0 + g) * m + r;
            finish::<L>(a, &mut out[i..i + BLOCK], epi, i);
        }
        r += BLOCK;
    }
}

/// Applies `epi` to a finished block (`i`: its first index in the output
/// matrix) and stores it in `out[..8]`, as `finish_one` does per value.
#[inline(always)]
fn finish<L: Lanes8>(acc: L, out: &mut [f64], epi: Epilogue<'_>, i: usize) {
    match epi {
        Epilogue::Store => acc.store(out),
        Epilogue::Relu(act) => {
            acc.store(out);
            let cells = &act[i..i + BLOCK];
            // The pointer is taken from the whole 8-cell slice, not from its
            // first cell, so it may reach all eight values.
            let p = cells.as_ptr().cast::<f64>().cast_mut();
            // SAFETY: `p` points to 8 contiguous f64 (`Cell<f64>` has the
            // layout of `f64`), writable through a shared reference because
            // they are `Cell`s, and nothing else reads or writes them during
            // this call.
            unsafe { acc.relu().store_ptr(p) };
        }
        Epilogue::ReluMask(z) => acc.mask_positive(L::load(&z[i..])).store(out),
    }
}

/// `Epilogue` for one value at index `i` of the output; returns what `out` stores.
#[inline(always)]
fn finish_one(v: f64, epi: Epilogue<'_>, i: usize) -> f64 {
    match epi {
        Epilogue::Store => v,
        Epilogue::Relu(act) => {
            act[i].set(math::relu(v));
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

/// `([Σ xs[g]·y], Σ y)` over `y`'s length, loading `y` once; without `SUM`
/// the sum is 0 and costs nothing. Each total keeps 8 partial sums, added
/// in order, then the tail: the one summation order every back end shares.
/// (`dots_and_sums` with one row of `ys` computes the same, but compiles to
/// a slower loop in wasm, which only ever takes this path.)
#[inline(always)]
fn dots_and_sum<L: Lanes8, const G: usize, const SUM: bool>(xs: [&[f64]; G], y: &[f64]) -> ([f64; G], f64) {
    let n = y.len();
    let mut xs = xs;
    for x in &mut xs {
        *x = &x[..n];
    }
    let full = n - n % BLOCK;
    let mut acc = [L::fill(0.0); G];
    let mut s = L::fill(0.0);
    let mut i = 0;
    while i < full {
        let yv = L::load(&y[i..]);
        for (a, x) in acc.iter_mut().zip(&xs) {
            *a = a.mul_add_lanes(L::load(&x[i..]), yv);
        }
        if SUM {
            s = s.add(yv);
        }
        i += BLOCK;
    }
    let mut dots = [0.0; G];
    for ((d, a), x) in dots.iter_mut().zip(acc).zip(xs) {
        let tail: f64 = x[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
        *d = a.lanes_sum() + tail;
    }
    let sum = if SUM {
        s.lanes_sum() + y[full..].iter().sum::<f64>()
    } else {
        0.0
    };
    (dots, sum)
}

/// `([[Σ xs[g]·ys[t]]], [Σ ys[t]])` over the length of `ys` (all equal),
/// loading each block once; without `SUM` the sums are 0 and cost nothing.
/// Each total keeps 8 partial sums, added in order, then the tail: the one
/// summation order every back end and tile shares.
#[inline(always)]
#[allow(clippy::type_complexity)]
fn dots_and_sums<L: Lanes8, const G: usize, const J: usize, const SUM: bool>(
    xs: [&[f64]; G],
    ys: [&[f64]; J],
) -> ([[f64; G]; J], [f64; J]) {
    let n = ys.first().map_or(0, |y| y.len());
    let (mut xs, mut ys) = (xs, ys);
    for x in &mut xs {
        *x = &x[..n];
    }
    for y in &mut ys {
        *y = &y[..n];
    }
    let full = n - n % BLOCK;
    let mut acc = [[L::fill(0.0); G]; J];
    let mut s = [L::fill(0.0); J];
    let mut i = 0;
    while i < full {
        let mut yv = [L::fill(0.0); J];
        for (v, y) in yv.iter_mut().zip(&ys) {
            *v = L::load(&y[i..]);
        }
        for (g, x) in xs.iter().enumerate() {
            let xv = L::load(&x[i..]);
            for (row, &y) in acc.iter_mut().zip(&yv) {
                row[g] = row[g].mul_add_lanes(xv, y);
            }
        }
        if SUM {
            for (s, &y) in s.iter_mut().zip(&yv) {
                *s = s.add(y);
            }
        }
        i += BLOCK;
    }
    let mut dots = [[0.0; G]; J];
    for ((out, row), y) in dots.iter_mut().zip(acc).zip(ys) {
        for ((d, a), x) in out.iter_mut().zip(row).zip(xs) {
            let tail: f64 = x[full..].iter().zip(&y[full..]).map(|(a, b)| a * b).sum();
            *d = a.lanes_sum() + tail;
        }
    }
    let mut sums = [0.0; J];
    if SUM {
        for ((out, s), y) in sums.iter_mut().zip(s).zip(ys) {
            *out = s.lanes_sum() + y[full..].iter().sum::<f64>();
        }
    }
    (dots, sums)
}

/// `Σ x·y` with eight partial sums (the order `dense_backward_params` uses).
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    dots_and_sum::<lanes::Base, 1, false>([&x[..n]], &y[..n]).0[0]
}

/// `Σ x` with eight partial sums (the order `dense_backward_params` uses for `db`).
#[inline]
pub fn sum(x: &[f64]) -> f64 {
    dots_and_sum::<lanes::Base, 0, true>([], x).1
}

/// Row-major `[rows, cols]` into feature-major `[cols, rows]` (or back, swapping the sizes).
pub fn transpose(src: &[f64], dst: &mut [f64], rows: usize, cols: usize) {
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    // In wasm the same tests run under `wasm-bindgen-test-runner` (Node):
    // `cargo test --target wasm32-unknown-unknown -p backprop --lib fast`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Each value's bits, every NaN as one: Rust leaves the sign and payload
    /// of a NaN result unspecified (Miri picks them at random), so only
    /// "NaN" is part of what the kernels promise.
    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter()
            .map(|x| {
                if x.is_nan() {
                    f64::NAN.to_bits()
                } else {
                    x.to_bits()
                }
            })
            .collect()
    }

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
        use crate::net::Activation;
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

    /// One shape's inputs for every kernel, with NaN and signed zeros planted.
    struct Case {
        m: usize,
        k: usize,
        n: usize,
        a: Vec<f64>,
        w: Vec<f64>,
        bias: Vec<f64>,
        dz: Vec<f64>,
        z_prev: Vec<f64>,
    }

    /// What one back end computes for a `Case`: z, act, da, da through the
    /// ReLU, dw, db.
    type Out = [Vec<f64>; 6];

    impl Case {
        fn new(m: usize, k: usize, n: usize, next: &mut impl FnMut() -> f64) -> Self {
            let mut c = Case {
                m,
                k,
                n,
                a: (0..k * m).map(|_| next()).collect(),
                w: (0..k * n).map(|_| next()).collect(),
                bias: (0..n).map(|_| next()).collect(),
                dz: (0..n * m).map(|_| next()).collect(),
                z_prev: (0..k * m).map(|_| next()).collect(),
            };
            c.a[0] = -0.0;
            c.w[k * n - 1] = f64::NAN;
            c.z_prev[0] = f64::NAN;
            c.z_prev[k * m - 1] = -0.0;
            c
        }

        /// Every kernel on the back end `L` (inlined into the caller, so
        /// into a function compiled for `L`'s features where it needs them).
        #[inline(always)]
        fn outputs<L: Lanes8>(&self) -> Out {
            let Case { m, k, n, .. } = *self;
            let (a, w, bias, dz, z_prev) = (&self.a, &self.w, &self.bias, &self.dz, &self.z_prev);
            let mut o: Out = [n * m, n * m, k * m, k * m, k * n, n].map(|len| vec![9.0; len]);
            let [z, act, da, da_relu, dw, db] = &mut o;
            forward_with::<L>(a, w, bias, z, m, k, n);
            let mut z_fused = vec![0.0; n * m];
            forward_relu_with::<L>(a, w, bias, &mut z_fused, act, m, k, n);
            assert_eq!(
                bits(z),
                bits(&z_fused),
                "the fused forward's z at m={m} k={k} n={n}"
            );
            backward_input_with::<L>(dz, w, da, m, k, n);
            backward_input_relu_with::<L>(dz, w, z_prev, da_relu, m, k, n);
            backward_params_with::<L>(a, dz, dw, db, m, k, n);
            o
        }

        /// The public kernels, on whichever back end they dispatch to.
        fn dispatched(&self) -> Out {
            let Case { m, k, n, .. } = *self;
            let (a, w, bias, dz, z_prev) = (&self.a, &self.w, &self.bias, &self.dz, &self.z_prev);
            let mut o: Out = [n * m, n * m, k * m, k * m, k * n, n].map(|len| vec![9.0; len]);
            let [z, act, da, da_relu, dw, db] = &mut o;
            dense_forward(a, w, bias, z, m, k, n);
            dense_forward_relu(a, w, bias, &mut vec![0.0; n * m], act, m, k, n);
            dense_backward_input(dz, w, da, m, k, n);
            dense_backward_input_relu(dz, w, z_prev, da_relu, m, k, n);
            dense_backward_params(a, dz, dw, db, m, k, n);
            o
        }
    }

    /// Each back end this CPU can run besides `Scalar`, named, with its
    /// outputs for `case`; then the ones it cannot run; then the name of the
    /// one the public kernels dispatch to.
    #[cfg(target_arch = "x86_64")]
    #[allow(clippy::type_complexity)]
    fn back_ends(case: &Case) -> (Vec<(&'static str, Out)>, Vec<&'static str>, &'static str) {
        #[target_feature(enable = "avx512f")]
        fn on_avx512(case: &Case) -> Out {
            case.outputs::<lanes::Avx512>()
        }
        #[target_feature(enable = "avx2")]
        fn on_avx2(case: &Case) -> Out {
            case.outputs::<lanes::Avx2>()
        }
        let mut ran = vec![("SSE2", case.outputs::<lanes::Sse2>())];
        let mut missing = vec![];
        // Asked of the CPU directly, not through `has_avx2()`, which
        // `baseline_only` can turn off.
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU reported AVX2 just above.
            ran.push(("AVX2", unsafe { on_avx2(case) }));
        } else {
            missing.push("AVX2");
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU reported AVX-512F just above.
            ran.push(("AVX-512F", unsafe { on_avx512(case) }));
        } else {
            missing.push("AVX-512F");
        }
        let dispatched = if lanes::has_avx512() {
            "AVX-512F"
        } else if lanes::has_avx2() {
            "AVX2"
        } else {
            "SSE2"
        };
        (ran, missing, dispatched)
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[allow(clippy::type_complexity)]
    fn back_ends(case: &Case) -> (Vec<(&'static str, Out)>, Vec<&'static str>, &'static str) {
        (
            vec![("simd128", case.outputs::<lanes::Simd128>())],
            vec![],
            "simd128",
        )
    }

    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    #[allow(clippy::type_complexity)]
    fn back_ends(case: &Case) -> (Vec<(&'static str, Out)>, Vec<&'static str>, &'static str) {
        // The target's baseline is `Scalar` itself.
        (vec![("scalar", case.outputs::<lanes::Base>())], vec![], "scalar")
    }

    /// Every back end the CPU can run (not only the one dispatch picks)
    /// gives the same bits as plain scalar code, for every kernel and shape:
    /// whole groups of 8, 4 and 2 outputs, single ones, row tails, NaN and
    /// signed zeros. The message names the back end that differs.
    #[test]
    fn every_lane_back_end_gives_the_same_bits() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 2001) as f64 / 250.0 - 4.0
        };
        let mut report = String::new();
        for (m, k, n) in [
            (1, 1, 1),
            (7, 2, 3),
            (8, 4, 4),
            (13, 3, 5),
            (37, 10, 8),
            (64, 9, 7),
            (21, 8, 1),
            (19, 17, 13),
        ] {
            let case = Case::new(m, k, n, &mut next);
            let reference = case.outputs::<lanes::Scalar>();
            let (ran, missing, dispatched) = back_ends(&case);
            let names: Vec<&str> = ran.iter().map(|(name, _)| *name).collect();
            assert!(
                names.contains(&dispatched),
                "dispatch picks {dispatched}, which this test did not run (ran {names:?})"
            );
            for (name, out) in ran.into_iter().chain([("dispatched", case.dispatched())]) {
                for (i, (want, got)) in reference.iter().zip(&out).enumerate() {
                    assert_eq!(bits(want), bits(got), "{name}: output {i} at m={m} k={k} n={n}");
                }
            }
            let (a, z_prev, dz) = (&case.a, &case.z_prev, &case.dz);
            assert_eq!(
                bits(&[dot(a, z_prev)]),
                bits(&[dot_scalar(a, z_prev)]),
                "dot at m={m} k={k}"
            );
            assert_eq!(bits(&[sum(dz)]), bits(&[sum_scalar(dz)]), "sum at m={m} n={n}");
            report = format!(
                "checked against scalar: {} (dispatch: {dispatched}); not run, this CPU lacks them: {}",
                names.join(", "),
                if missing.is_empty() {
                    "none".to_string()
                } else {
                    missing.join(", ")
                }
            );
        }
        eprintln!("{report}");
    }

    /// `dot` and `sum` written out as plain loops in the shared order: 8
    /// partial sums added in order, then the tail.
    fn dot_scalar(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len().min(y.len());
        let full = n - n % 8;
        let mut acc = [0.0f64; 8];
        for i in 0..full {
            acc[i % 8] += x[i] * y[i];
        }
        let tail: f64 = (full..n).map(|i| x[i] * y[i]).sum();
        acc.iter().sum::<f64>() + tail
    }

    fn sum_scalar(x: &[f64]) -> f64 {
        let full = x.len() - x.len() % 8;
        let mut acc = [0.0f64; 8];
        for (i, v) in x[..full].iter().enumerate() {
            acc[i % 8] += v;
        }
        acc.iter().sum::<f64>() + x[full..].iter().sum::<f64>()
    }
}
