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

/// Steps of confidence the colours are drawn in: a step is 1/256 of the way
/// from neutral to the class colour, at most one level of a channel.
const LEVELS: usize = 256;

/// Colours `probs` (`[pixels, n_out]`, row-major: sigmoid outputs when `n_out == 1`,
/// class probabilities otherwise) into `rgba` (`[pixels, 4]`). The colour of
/// the predicted class is mixed with the neutral colour by confidence (0 at
/// a coin toss, full at certainty, in 256 steps); `discrete` uses full
/// colour everywhere. Non-finite outputs are drawn transparent, never from NaN.
pub fn boundary_rgba(probs: &[f64], n_out: usize, discrete: bool, rgba: &mut [u8]) {
    let n_out = n_out.max(1);
    let classes = if n_out == 1 { 2 } else { n_out.min(CLASS_RGB.len()) };
    // Each class's pixel (as little-endian RGBA in a u32) at every step,
    // worked out once per call rather than per pixel.
    let mut table = [[0u32; LEVELS + 1]; CLASS_RGB.len()];
    for (rgb, row) in CLASS_RGB.iter().zip(&mut table).take(classes) {
        for (step, px) in row.iter_mut().enumerate() {
            let t = step as f64 / LEVELS as f64;
            let mut bytes = [0, 0, 0, 255];
            for ch in 0..3 {
                let n = f64::from(NEUTRAL_RGB[ch]);
                // In [0, 255]: adding a half and truncating rounds.
                bytes[ch] = (n + t * (f64::from(rgb[ch]) - n) + 0.5) as u8;
            }
            *px = u32::from_le_bytes(bytes);
        }
    }
    let step = |confidence: f64| {
        if discrete {
            LEVELS
        } else {
            // Saturating: confidence is in [0, 1].
            (confidence * LEVELS as f64 + 0.5) as usize
        }
    };
    if n_out == 1 {
        for (&p, px) in probs.iter().zip(rgba.chunks_exact_mut(4)) {
            let p1 = p.clamp(0.0, 1.0);
            let class = usize::from(p1 > 0.5);
            let colour = table[class][step((2.0 * p1 - 1.0).abs()).min(LEVELS)];
            let colour = if p.is_finite() { colour } else { 0 };
            px.copy_from_slice(&colour.to_le_bytes());
        }
        return;
    }
    for (p, px) in probs.chunks_exact(n_out).zip(rgba.chunks_exact_mut(4)) {
        if p.iter().any(|v| !v.is_finite()) {
            px.copy_from_slice(&[0, 0, 0, 0]);
            continue;
        }
        let (c, &best) = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        // From 1/k (a uniform guess) to 1 (certain).
        let k = n_out as f64;
        let confidence = ((best - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0);
        let colour = table[c.min(classes - 1)][step(confidence).min(LEVELS)];
        px.copy_from_slice(&colour.to_le_bytes());
    }
}

/// Colours predicted values (`[pixels]`, one output) into `rgba` for data
/// whose values run from `lo` to `hi`: the middle of the range is neutral,
/// the low end class 0's colour and the high end class 1's (as TensorFlow
/// Playground colours negative and positive), mixed by distance from the
/// middle in 256 steps; beyond the range, full colour. `discrete` uses full
/// colour on either side of the middle. Non-finite values are transparent.
pub fn value_rgba(values: &[f64], lo: f64, hi: f64, discrete: bool, rgba: &mut [u8]) {
    // No range (no points yet) centres on 0; a range of one value still gets
    // a scale: its magnitude, or 1.
    let mid = match (lo + hi) / 2.0 {
        m if m.is_finite() => m,
        _ => 0.0,
    };
    let half = match (hi - lo) / 2.0 {
        h if h > 0.0 && h.is_finite() => h,
        _ => mid.abs().max(1.0),
    };
    for (&v, px) in values.iter().zip(rgba.chunks_exact_mut(4)) {
        if !v.is_finite() {
            px.copy_from_slice(&[0, 0, 0, 0]);
            continue;
        }
        let t = ((v - mid) / half).clamp(-1.0, 1.0);
        let rgb = CLASS_RGB[usize::from(t > 0.0)];
        let amount = if discrete && t != 0.0 {
            1.0
        } else {
            (t.abs() * LEVELS as f64).round() / LEVELS as f64
        };
        for ch in 0..3 {
            let n = f64::from(NEUTRAL_RGB[ch]);
            // In [0, 255]: adding a half and truncating rounds.
            px[ch] = (n + amount * (f64::from(rgb[ch]) - n) + 0.5) as u8;
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
        let mut three = [0u8; 8];
        boundary_rgba(&[0.1, 0.1, 0.8, 0.2, f64::NAN, 0.3], 3, true, &mut three);
        assert_eq!(&three[..4], &[0, 158, 115, 255]);
        assert_eq!(&three[4..], &[0, 0, 0, 0], "NaN is not drawn");
    }

    #[test]
    fn values_run_from_one_colour_through_neutral_to_the_other() {
        let mut rgba = [0u8; 20];
        value_rgba(&[-1.0, 3.0, 1.0, 0.0, f64::INFINITY], -1.0, 3.0, false, &mut rgba);
        assert_eq!(
            &rgba[0..4],
            &[230, 159, 0, 255],
            "the lowest value: class 0's colour"
        );
        assert_eq!(&rgba[4..8], &[0, 114, 178, 255], "the highest: class 1's");
        assert_eq!(
            &rgba[8..12],
            &[246, 246, 246, 255],
            "the middle of the range is neutral"
        );
        assert_eq!(
            &rgba[12..16],
            &[238, 203, 123, 255],
            "halfway down: half of class 0's colour"
        );
        assert_eq!(&rgba[16..20], &[0, 0, 0, 0], "not finite: not drawn");
        let mut flat = [0u8; 4];
        value_rgba(&[2.0], 2.0, 2.0, false, &mut flat);
        assert_eq!(&flat, &[246, 246, 246, 255], "one value everywhere is the middle");
        value_rgba(&[0.0], f64::INFINITY, f64::NEG_INFINITY, false, &mut flat);
        assert_eq!(&flat, &[246, 246, 246, 255], "no points: 0 is the middle");
    }

    /// Every pixel is within one level of the exact mix of its class colour
    /// and neutral by confidence.
    #[test]
    fn steps_stay_within_a_level_of_the_exact_mix() {
        let probs: Vec<f64> = (0..=1000).map(|i| f64::from(i) / 1000.0).collect();
        let mut rgba = vec![0u8; probs.len() * 4];
        boundary_rgba(&probs, 1, false, &mut rgba);
        for (&p, px) in probs.iter().zip(rgba.chunks_exact(4)) {
            let rgb = CLASS_RGB[usize::from(p > 0.5)];
            let t = (2.0 * p - 1.0).abs();
            for ch in 0..3 {
                let n = f64::from(NEUTRAL_RGB[ch]);
                let exact = n + t * (f64::from(rgb[ch]) - n);
                assert!(
                    (f64::from(px[ch]) - exact).abs() <= 1.0,
                    "p = {p}, channel {ch}: {} vs {exact}",
                    px[ch]
                );
            }
            assert_eq!(px[3], 255);
        }
    }

    #[test]
    fn grid_points_run_from_the_top_left() {
        let mut g = Vec::new();
        grid_points(2, 0.0, 2.0, 0.0, 2.0, &mut g);
        assert_eq!(g, vec![0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
    }
}
