//! Element-wise maths without libm calls, so the loops over them vectorise
//! (libm's `exp`, `log` and `fmax` are one call per element in wasm). Each
//! is tested against libm below.

/// The logistic function, computed without overflow for any `z`.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    // Branch-free (selects only), so loops over it vectorise; e = e^{-|z|} ≤ 1
    // never overflows.
    let e = exp_nonpositive(-z.abs());
    let inv = 1.0 / (1.0 + e);
    if z >= 0.0 { inv } else { e * inv }
}

/// `e^x` for `x ≤ 0` (NaN in, NaN out), to within 2 ulp, without a libm call:
/// `x = n·ln 2 + r` with |r| ≤ ln 2 / 2 (Cody–Waite, two-part ln 2), `e^r` by
/// its Taylor series to degree 13 (truncation below 1e-17), and `2^n` built
/// in the exponent bits. Below -708 it returns e^-708 ≈ 3e-308 rather than a
/// subnormal: a sigmoid's output there is that far below any other term.
/// Only arithmetic, comparisons and integer bit operations, so a loop of it
/// vectorises.
#[inline(always)]
pub fn exp_nonpositive(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    // fdlibm's split of ln 2: the high part has trailing zero bits, so n · LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // 1.5 · 2^52: adding it rounds to an integer held in the low mantissa bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let x = if x < -708.0 { -708.0 } else { x };
    let kd = x * LOG2E + SHIFT;
    let ki = kd.to_bits();
    let n = kd - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // Σ r^k / k!, k = 0..13, by Horner.
    let mut p = 1.0 / 6_227_020_800.0;
    for c in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    // 2^n: n + 1023 in the exponent field (n ≥ -1022 after the clamp).
    let scale = f64::from_bits(ki.wrapping_add(1023) << 52);
    p * scale
}

/// `max(z, 0)` as a comparison: `f64::max` has to ignore NaN, which on wasm is
/// a call to `fmax` per element; this is one select, vectorises, and maps NaN
/// to 0.
#[inline(always)]
pub fn relu(z: f64) -> f64 {
    if z > 0.0 { z } else { 0.0 }
}

/// The larger of `a` and `b` as a comparison (see `relu`): for finite inputs
/// the same as `f64::max`.
#[inline(always)]
pub fn larger(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// `ln x` for positive normal `x` (NaN in, NaN out), to within 2 ulp,
/// without a libm call: `x = m · 2^e` with `m` in [√½, √2) from the bits,
/// then `ln m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, |s| < 0.172, by its
/// series to s^21 (truncation below 3e-17 relative), and `e · ln 2` in two
/// parts. Zero, subnormals and infinity are outside its domain (callers
/// clamp). Only arithmetic, comparisons and integer bit operations, so a
/// loop of it vectorises where libm's `log` is a call per element.
#[inline(always)]
pub fn ln_normal(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const SQRT2: f64 = std::f64::consts::SQRT_2;
    // 2^52 + 1023 as a float: an exponent field placed under its bits reads back as e + 2^52 + 1023.
    const EXP_BIAS: f64 = 4_503_599_627_371_519.0;
    let bits = x.to_bits();
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let e = f64::from_bits(((bits >> 52) & 0x7ff) | 0x4330_0000_0000_0000) - EXP_BIAS;
    let (m, e) = if m > SQRT2 { (0.5 * m, e + 1.0) } else { (m, e) };
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // Σ s2^k / (2k + 1), k = 0..10, by Horner.
    let mut p = 1.0 / 21.0;
    for c in [19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        p = p * s2 + 1.0 / c;
    }
    let r = e * LN2_HI + (2.0 * s * p + e * LN2_LO);
    if x.is_nan() { x } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against libm over [-708, 0], including the ends and the places where n changes.
    #[test]
    fn exp_nonpositive_is_within_two_ulp_of_libm() {
        let mut worst = 0.0f64;
        let mut x = 0.0;
        while x > -708.0 {
            for v in [x, x - 1e-9, x + 1e-9] {
                if v > 0.0 {
                    continue;
                }
                let (ours, libm) = (exp_nonpositive(v), v.exp());
                let ulp = libm * f64::EPSILON;
                worst = worst.max((ours - libm).abs() / ulp);
            }
            x -= 0.003_466; // about ln 2 / 200: every n, many r
        }
        for v in [0.0, -0.0, -1e-300, -0.5 * std::f64::consts::LN_2, -708.0] {
            let ulp = v.exp() * f64::EPSILON;
            worst = worst.max((exp_nonpositive(v) - v.exp()).abs() / ulp);
        }
        eprintln!("exp_nonpositive: worst error {worst:.2} ulp");
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert!(exp_nonpositive(f64::NAN).is_nan());
        assert!(exp_nonpositive(-1e6) > 0.0 && exp_nonpositive(-1e6) < 1e-307);
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(f64::NAN).is_nan());
        assert_eq!(sigmoid(800.0), 1.0);
    }

    /// Against libm over the normal range the losses use, densely in [1e-15, 1].
    #[test]
    fn ln_normal_is_within_two_ulp_of_libm() {
        let mut worst = 0.0f64;
        let mut check = |v: f64| {
            let (ours, libm) = (ln_normal(v), v.ln());
            // |ln x| · ε is at most one ulp: a stricter measure than ulps themselves.
            let ulp = libm.abs().max(f64::MIN_POSITIVE) * f64::EPSILON;
            worst = worst.max((ours - libm).abs() / ulp);
        };
        let mut x = 1e-15;
        while x <= 1.0 {
            check(x);
            check(1.0 - x);
            x *= 1.0 + 1e-4;
        }
        for v in [
            0.5,
            1.0,
            std::f64::consts::SQRT_2,
            std::f64::consts::FRAC_1_SQRT_2,
            2.0,
            1e300,
            f64::MIN_POSITIVE,
        ] {
            check(v);
        }
        eprintln!("ln_normal: worst error {worst:.2} ulp");
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert!(ln_normal(f64::NAN).is_nan());
        assert_eq!(ln_normal(1.0), 0.0);
    }
}
