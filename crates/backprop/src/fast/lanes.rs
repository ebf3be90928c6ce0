//! Lane back ends for the kernels: 8 f64 as one value. `Scalar` is plain
//! arrays; `Sse2` (the x86-64 baseline) and `Simd128` (wasm) hold them in
//! four two-lane registers, `Avx2` in two four-lane ones, `Avx512` in one.
//! Every operation is per lane, separately rounded (no fused multiply-add),
//! so all back ends agree to the bit.
//!
//! `Avx2` and `Avx512` may only be used once `has_avx2()` / `has_avx512()`
//! said yes; the kernels' `dispatch!` uses them inside functions compiled
//! for those features, where every operation inlines to one instruction.

/// Eight f64 lanes.
pub(super) trait Lanes8: Copy {
    /// One f64 in every lane, for `mul_add`.
    type Splat: Copy;
    /// The most outputs (or inputs) the kernels should work on at once:
    /// what the back end's registers hold as accumulators with their operands.
    const GROUP: usize;
    fn splat(x: f64) -> Self::Splat;
    fn fill(x: f64) -> Self;
    /// `s[..8]`; panics if `s` is shorter.
    fn load(s: &[f64]) -> Self;
    /// # Safety
    /// `p` points to 8 readable f64.
    unsafe fn load_ptr(p: *const f64) -> Self;
    /// Into `s[..8]`; panics if `s` is shorter.
    fn store(self, s: &mut [f64]);
    /// # Safety
    /// `p` points to 8 writable f64.
    unsafe fn store_ptr(self, p: *mut f64);
    fn add(self, x: Self) -> Self;
    /// `self + w · x`, rounded after the product and after the sum.
    fn mul_add(self, w: Self::Splat, x: Self) -> Self;
    /// `self + x · y` per lane, rounded as `mul_add`.
    fn mul_add_lanes(self, x: Self, y: Self) -> Self;
    /// `max(v, 0)` per lane as `activation::relu`: `0 < v ? v : 0` (NaN gives 0).
    fn relu(self) -> Self;
    /// `v` where `z > 0`, else +0, per lane (NaN `z` gives +0).
    fn mask_positive(self, z: Self) -> Self;
    fn to_array(self) -> [f64; 8];
    /// The 8 lanes added in order, as `[f64]::iter().sum()`.
    #[inline(always)]
    fn lanes_sum(self) -> f64 {
        self.to_array().iter().sum::<f64>()
    }
}

/// The back end every CPU of the target has.
#[cfg(target_arch = "x86_64")]
pub(super) type Base = Sse2;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) type Base = Simd128;
#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
pub(super) type Base = Scalar;

/// Plain arrays: the reference the others are tested against.
#[cfg(any(
    test,
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ))
))]
#[derive(Clone, Copy)]
pub(super) struct Scalar([f64; 8]);

#[cfg(any(
    test,
    not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ))
))]
impl Lanes8 for Scalar {
    type Splat = f64;
    const GROUP: usize = 2;
    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn fill(x: f64) -> Self {
        Self([x; 8])
    }
    #[inline(always)]
    fn load(s: &[f64]) -> Self {
        let mut v = [0.0; 8];
        v.copy_from_slice(&s[..8]);
        Self(v)
    }
    #[inline(always)]
    unsafe fn load_ptr(p: *const f64) -> Self {
        // SAFETY: the caller's contract.
        Self(unsafe { p.cast::<[f64; 8]>().read_unaligned() })
    }
    #[inline(always)]
    fn store(self, s: &mut [f64]) {
        s[..8].copy_from_slice(&self.0);
    }
    #[inline(always)]
    unsafe fn store_ptr(self, p: *mut f64) {
        // SAFETY: the caller's contract.
        unsafe { p.cast::<[f64; 8]>().write_unaligned(self.0) }
    }
    #[inline(always)]
    fn add(self, x: Self) -> Self {
        let mut v = self.0;
        for (v, x) in v.iter_mut().zip(x.0) {
            *v += x;
        }
        Self(v)
    }
    #[inline(always)]
    fn mul_add(self, w: f64, x: Self) -> Self {
        let mut v = self.0;
        for (v, x) in v.iter_mut().zip(x.0) {
            *v += w * x;
        }
        Self(v)
    }
    #[inline(always)]
    fn mul_add_lanes(self, x: Self, y: Self) -> Self {
        let mut v = self.0;
        for ((v, x), y) in v.iter_mut().zip(x.0).zip(y.0) {
            *v += x * y;
        }
        Self(v)
    }
    #[inline(always)]
    fn relu(self) -> Self {
        let mut v = self.0;
        for x in &mut v {
            *x = super::math::relu(*x);
        }
        Self(v)
    }
    #[inline(always)]
    fn mask_positive(self, z: Self) -> Self {
        let mut v = self.0;
        for (v, z) in v.iter_mut().zip(z.0) {
            *v = if z > 0.0 { *v } else { 0.0 };
        }
        Self(v)
    }
    #[inline(always)]
    fn to_array(self) -> [f64; 8] {
        self.0
    }
}

/// Writes the operations of a back end whose 8 lanes are `N` registers of
/// `8 / N` lanes, from its per-register intrinsics.
macro_rules! registers {
    ($name:ident, $v:ty, [$($i:literal),+], $group:literal, $step:literal,
     splat: $splat:expr, add: $add:expr, mul: $mul:expr, relu: $relu:expr, mask: $mask:expr,
     load: $load:expr, store: $store:expr) => {
        // Written out register by register (no loops, no closures over
        // arrays): each operation inlines to its instructions in any caller.
        #[derive(Clone, Copy)]
        pub(crate) struct $name([$v; [$($i),+].len()]);

        impl Lanes8 for $name {
            type Splat = $v;
            const GROUP: usize = $group;
            #[inline(always)]
            fn splat(x: f64) -> $v {
                $splat(x)
            }
            #[inline(always)]
            fn fill(x: f64) -> Self {
                let v = $splat(x);
                Self([$({ let _ = $i; v }),+])
            }
            #[inline(always)]
            fn load(s: &[f64]) -> Self {
                let s = &s[..8];
                // `$load` reads `$step` f64 from each pointer: all within `s`.
                Self([$($load(s[$i * $step..].as_ptr())),+])
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const f64) -> Self {
                // SAFETY: the caller's contract; each load reads `$step` of the 8.
                Self([$($load(unsafe { p.add($i * $step) })),+])
            }
            #[inline(always)]
            fn store(self, s: &mut [f64]) {
                let s = &mut s[..8];
                // SAFETY: `s` has 8 writable f64.
                unsafe { self.store_ptr(s.as_mut_ptr()) }
            }
            #[inline(always)]
            unsafe fn store_ptr(self, p: *mut f64) {
                $(
                    // SAFETY: the caller's contract; each store writes `$step` of the 8.
                    let q = unsafe { p.add($i * $step) };
                    $store(q, self.0[$i]);
                )+
            }
            #[inline(always)]
            fn add(self, x: Self) -> Self {
                Self([$($add(self.0[$i], x.0[$i])),+])
            }
            #[inline(always)]
            fn mul_add(self, w: $v, x: Self) -> Self {
                Self([$($add(self.0[$i], $mul(w, x.0[$i]))),+])
            }
            #[inline(always)]
            fn mul_add_lanes(self, x: Self, y: Self) -> Self {
                Self([$($add(self.0[$i], $mul(x.0[$i], y.0[$i]))),+])
            }
            #[inline(always)]
            fn relu(self) -> Self {
                Self([$($relu(self.0[$i])),+])
            }
            #[inline(always)]
            fn mask_positive(self, z: Self) -> Self {
                Self([$($mask(self.0[$i], z.0[$i])),+])
            }
            #[inline(always)]
            fn to_array(self) -> [f64; 8] {
                let mut out = [0.0; 8];
                // SAFETY: `out` has 8 writable f64.
                unsafe { self.store_ptr(out.as_mut_ptr()) };
                out
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes8;
    use core::arch::x86_64::*;

    // Each `unsafe` below calls an intrinsic that needs the back end's CPU
    // features (and, for loads and stores, a pointer to its lanes).
    registers!(Sse2, __m128d, [0, 1, 2, 3], 2, 2,
        // SAFETY: SSE2 is part of the x86-64 baseline every build targets.
        splat: |x| unsafe { _mm_set1_pd(x) },
        // SAFETY: as `splat`.
        add: |a, b| unsafe { _mm_add_pd(a, b) },
        // SAFETY: as `splat`.
        mul: |a, b| unsafe { _mm_mul_pd(a, b) },
        // maxpd returns its second operand unless the first is greater.
        // SAFETY: as `splat`.
        relu: |v| unsafe { _mm_max_pd(v, _mm_setzero_pd()) },
        // SAFETY: as `splat`.
        mask: |v, z| unsafe { _mm_and_pd(v, _mm_cmpgt_pd(z, _mm_setzero_pd())) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 2 readable f64.
        load: |p: *const f64| unsafe { _mm_loadu_pd(p) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 2 writable f64.
        store: |p: *mut f64, v| unsafe { _mm_storeu_pd(p, v) });

    registers!(Avx2, __m256d, [0, 1], 4, 4,
        // SAFETY: `Avx2` is only used after `has_avx2()` said yes (module doc).
        splat: |x| unsafe { _mm256_set1_pd(x) },
        // SAFETY: as `splat`.
        add: |a, b| unsafe { _mm256_add_pd(a, b) },
        // SAFETY: as `splat`.
        mul: |a, b| unsafe { _mm256_mul_pd(a, b) },
        // SAFETY: as `splat`.
        relu: |v| unsafe { _mm256_max_pd(v, _mm256_setzero_pd()) },
        // Ordered, quiet: NaN compares false.
        // SAFETY: as `splat`.
        mask: |v, z| unsafe { _mm256_and_pd(v, _mm256_cmp_pd::<_CMP_GT_OQ>(z, _mm256_setzero_pd())) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 4 readable f64.
        load: |p: *const f64| unsafe { _mm256_loadu_pd(p) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 4 writable f64.
        store: |p: *mut f64, v| unsafe { _mm256_storeu_pd(p, v) });

    registers!(Avx512, __m512d, [0], 8, 8,
        // SAFETY: `Avx512` is only used after `has_avx512()` said yes (module doc).
        splat: |x| unsafe { _mm512_set1_pd(x) },
        // SAFETY: as `splat`.
        add: |a, b| unsafe { _mm512_add_pd(a, b) },
        // SAFETY: as `splat`.
        mul: |a, b| unsafe { _mm512_mul_pd(a, b) },
        // SAFETY: as `splat`.
        relu: |v| unsafe { _mm512_max_pd(v, _mm512_setzero_pd()) },
        // Ordered, quiet: NaN compares false; lanes masked off are +0.
        // SAFETY: as `splat`.
        mask: |v, z| unsafe { _mm512_maskz_mov_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(z, _mm512_setzero_pd()), v) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 8 readable f64.
        load: |p: *const f64| unsafe { _mm512_loadu_pd(p) },
        // SAFETY: as `splat`; `registers!` passes a pointer to 8 writable f64.
        store: |p: *mut f64, v| unsafe { _mm512_storeu_pd(p, v) });

    /// Set by `kernels::baseline_only`.
    pub(in super::super) static BASELINE_ONLY: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    fn wider_allowed() -> bool {
        !BASELINE_ONLY.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether to use AVX-512F: the CPU has it (detected once, then cached
    /// by std) and `baseline_only` is off.
    #[inline]
    pub(in super::super) fn has_avx512() -> bool {
        wider_allowed() && std::arch::is_x86_feature_detected!("avx512f")
    }

    /// Whether to use AVX2: as `has_avx512`.
    #[inline]
    pub(in super::super) fn has_avx2() -> bool {
        wider_allowed() && std::arch::is_x86_feature_detected!("avx2")
    }
}
#[cfg(target_arch = "x86_64")]
pub(super) use x86::{Avx2, Avx512, BASELINE_ONLY, Sse2, has_avx2, has_avx512};

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::Lanes8;
    use core::arch::wasm32::*;

    registers!(Simd128, v128, [0, 1, 2, 3], 2, 2,
        splat: f64x2_splat,
        add: f64x2_add,
        mul: f64x2_mul,
        // pmax(a, b) is `a < b ? b : a`.
        relu: |v| f64x2_pmax(f64x2_splat(0.0), v),
        mask: |v, z| v128_and(v, f64x2_gt(z, f64x2_splat(0.0))),
        // SAFETY: `registers!` passes a pointer to 2 readable f64; v128
        // loads have no alignment requirement.
        load: |p: *const f64| unsafe { v128_load(p.cast()) },
        // SAFETY: `registers!` passes a pointer to 2 writable f64; v128
        // stores have no alignment requirement.
        store: |p: *mut f64, v| unsafe { v128_store(p.cast(), v) });
}
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) use wasm::Simd128;
