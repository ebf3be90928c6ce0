//! Turning model outputs into pixels: the decision boundary as RGBA bytes,
//! ready for an `ImageData`. Pure presentation arithmetic, kept here so it
//! is tested natively and the bindings stay free of maths.

/// Class colours (Okabe–Ito orange, blue, green, then more of its palette) as RGB.
pub const CLASS_RGB: [[u8; 3]; 8] = [
    [230, 159, 0],
    [0, 114, 178],
    [0, 158, 115],
    [204, 121, 167],
    [86, 180, 233],
    [213, 94, 0],
    [240, 228, 66],
    [120, 120, 120],
];

/// The neutral colour halfway between classes (where the model is unsure).
pub const NEUTRAL_RGB: [u8; 3] = [246, 246, 246];

/// Colours `probs` (`[pixels, n_out]`, row-major: sigmoid outputs when `n_out == 1`,
/// class probabilities otherwise) into `rgba` (`[pixels, 4]`). The colour of
/// the predicted class is mixed with the neutral colour by confidence (0 at
/// a coin toss, full at certainty); `discrete` uses full colour everywhere.
/// Non-finite outputs are drawn transparent, never from NaN.
pub fn boundary_rgba(probs: &[f64], n_out: usize, discrete: bool, rgba: &mut [u8]) {
    let n_out = n_out.max(1);
    for (p, px) in probs.chunks_exact(n_out).zip(rgba.chunks_exact_mut(4)) {
        if p.iter().any(|v| !v.is_finite()) {
            px.copy_from_slice(&[0, 0, 0, 0]);
            continue;
        }
        let (class, confidence) = if n_out == 1 {
            let p1 = p[0].clamp(0.0, 1.0);
            (usize::from(p1 > 0.5), (2.0 * p1 - 1.0).abs())
        } else {
            let (c, &best) = p
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .unwrap_or((0, &0.0));
            // From 1/k (a uniform guess) to 1 (certain).
            let k = n_out as f64;
            (c, ((best - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0))
        };
        let t = if discrete { 1.0 } else { confidence };
        let rgb = CLASS_RGB[class.min(CLASS_RGB.len() - 1)];
        for ch in 0..3 {
            let v = f64::from(NEUTRAL_RGB[ch]) + t * (f64::from(rgb[ch]) - f64::from(NEUTRAL_RGB[ch]));
            // v is in [0, 255]: adding a half and truncating is `round` (ties away
            // from zero) without wasm's call to libm's `round` per channel.
            px[ch] = (v + 0.5) as u8;
        }
        px[3] = 255;
    }
}

/// The centres of an `n × n` grid over `[x0, x1] × [y0, y1]`, row by row from
/// the top (`y1`) down, as `[n * n, 2]` — the order an `ImageData` wants.
pub fn grid_points(n: usize, x0: f64, x1: f64, y0: f64, y1: f64, out: &mut Vec<f64>) {
    out.clear();
    out.reserve(2 * n * n);
    for row in 0..n {
        let y = y1 - (row as f64 + 0.5) / n as f64 * (y1 - y0);
        for col in 0..n {
            out.push(x0 + (col as f64 + 0.5) / n as f64 * (x1 - x0));
            out.push(y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_the_prediction_and_confidence() {
        let mut rgba = [0u8; 16];
        boundary_rgba(&[0.0, 1.0, 0.5, f64::NAN], 1, false, &mut rgba);
        assert_eq!(&rgba[0..4], &[230, 159, 0, 255], "certain class 0");
        assert_eq!(&rgba[4..8], &[0, 114, 178, 255], "certain class 1");
        assert_eq!(&rgba[8..12], &[246, 246, 246, 255], "a coin toss is neutral");
        assert_eq!(&rgba[12..16], &[0, 0, 0, 0], "NaN is not drawn");
        let mut d = [0u8; 4];
        boundary_rgba(&[0.6], 1, true, &mut d);
        assert_eq!(&d, &[0, 114, 178, 255], "discrete: full colour");
        let mut three = [0u8; 4];
        boundary_rgba(&[0.1, 0.1, 0.8], 3, true, &mut three);
        assert_eq!(&three[..3], &CLASS_RGB[2]);
    }

    #[test]
    fn grid_points_run_from_the_top_left() {
        let mut g = Vec::new();
        grid_points(2, 0.0, 2.0, 0.0, 2.0, &mut g);
        assert_eq!(g, vec![0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
    }
}
