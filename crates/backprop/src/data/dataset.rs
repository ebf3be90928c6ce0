//! Seeded two-dimensional toy datasets: each is a clean shape plus Gaussian
//! noise of standard deviation `noise`, shuffled, all drawn from one `u64` seed.

use std::f64::consts::PI;

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::error::Result;
use crate::range::Range;

/// Largest number of points a generator will make; keeps memory bounded for any input.
pub const MAX_SAMPLES: usize = 100_000;
/// How many points a generator makes: 1 to `MAX_SAMPLES`.
pub const SAMPLES: Range = Range::closed(1.0, MAX_SAMPLES as f64);
/// The noise's standard deviation: 0 to 10 (ten times the shapes' size).
pub const NOISE: Range = Range::closed(0.0, 10.0);

/// The shapes a dataset can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// scikit-learn's `make_moons`: two interleaving half circles.
    Moons,
    /// scikit-learn's `make_circles` with `factor = 0.5`: a ring around a disc.
    Circles,
    /// Four quadrants, opposite ones sharing a class.
    Xor,
    /// Two Gaussian blobs.
    Gaussians,
    /// Two interleaved spiral arms.
    Spiral,
    /// Three interleaved spiral arms (three classes).
    Spiral3,
}

impl DatasetKind {
    pub fn n_classes(self) -> usize {
        match self {
            Self::Spiral3 => 3,
            _ => 2,
        }
    }
}

/// Points `x: [n, 2]` with class labels `y: [n]` in `0..n_classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub x: Array2<f64>,
    pub y: Vec<u8>,
    pub n_classes: usize,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Makes `n_samples` points of `kind` with Gaussian noise `noise`, from `seed`.
    pub fn generate(kind: DatasetKind, n_samples: usize, noise: f64, seed: u64) -> Result<Self> {
        check_samples(n_samples)?;
        check_noise(noise)?;
        let mut rng = StdRng::seed_from_u64(seed);
        let (points, labels) = match kind {
            DatasetKind::Moons => moons_clean(n_samples),
            DatasetKind::Circles => circles_clean(n_samples, 0.5),
            DatasetKind::Xor => xor_clean(n_samples, &mut rng),
            DatasetKind::Gaussians => gaussians_clean(n_samples, &mut rng),
            DatasetKind::Spiral => spiral_clean(n_samples, 2),
            DatasetKind::Spiral3 => spiral_clean(n_samples, 3),
        };
        Ok(shuffle_and_noise(
            points,
            labels,
            kind.n_classes(),
            noise,
            &mut rng,
        ))
    }
}

/// scikit-learn's `make_moons(n_samples, noise, shuffle=True)`: the same
/// radius, offset and noise model, drawn from our own seeded generator.
pub fn moons(n_samples: usize, noise: f64, seed: u64) -> Result<Dataset> {
    Dataset::generate(DatasetKind::Moons, n_samples, noise, seed)
}

pub(crate) fn check_samples(n_samples: usize) -> Result<()> {
    SAMPLES.check_whole("dataset.n_samples", n_samples as u64)
}

pub(crate) fn check_noise(noise: f64) -> Result<()> {
    NOISE.check("dataset.noise", noise)
}

/// `n` evenly spaced values from `start` to `stop`, like `numpy.linspace`.
fn linspace(start: f64, stop: f64, n: usize, endpoint: bool) -> impl Iterator<Item = f64> {
    let div = if endpoint { n.saturating_sub(1) } else { n };
    let step = if div == 0 {
        0.0
    } else {
        (stop - start) / div as f64
    };
    (0..n).map(move |i| start + step * i as f64)
}

type Clean = (Vec<[f64; 2]>, Vec<u8>);

fn moons_clean(n_samples: usize) -> Clean {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let outer = linspace(0.0, PI, n_out, true).map(|t| ([t.cos(), t.sin()], 0));
    let inner = linspace(0.0, PI, n_in, true).map(|t| ([1.0 - t.cos(), 1.0 - t.sin() - 0.5], 1));
    outer.chain(inner).unzip()
}

fn circles_clean(n_samples: usize, factor: f64) -> Clean {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let outer = linspace(0.0, 2.0 * PI, n_out, false).map(|t| ([t.cos(), t.sin()], 0));
    let inner = linspace(0.0, 2.0 * PI, n_in, false).map(|t| ([factor * t.cos(), factor * t.sin()], 1));
    outer.chain(inner).unzip()
}

fn xor_clean(n_samples: usize, rng: &mut StdRng) -> Clean {
    // Uniform in [-1, 1]^2, nudged 0.1 off the axes so the quadrants are separable.
    let nudge = |v: f64| if v >= 0.0 { v + 0.1 } else { v - 0.1 };
    (0..n_samples)
        .map(|_| {
            let x = nudge(rng.random_range(-0.9..0.9));
            let y = nudge(rng.random_range(-0.9..0.9));
            ([x, y], u8::from((x > 0.0) != (y > 0.0)))
        })
        .unzip()
}

fn gaussians_clean(n_samples: usize, rng: &mut StdRng) -> Clean {
    const SPREAD: f64 = 0.4;
    (0..n_samples)
        .map(|i| {
            let class = u8::from(i >= n_samples / 2);
            let centre = if class == 0 { -1.0 } else { 1.0 };
            let dx: f64 = rng.sample(StandardNormal);
            let dy: f64 = rng.sample(StandardNormal);
            ([centre + SPREAD * dx, centre + SPREAD * dy], class)
        })
        .unzip()
}

fn spiral_clean(n_samples: usize, n_arms: usize) -> Clean {
    (0..n_samples)
        .map(|i| {
            let arm = i % n_arms;
            let k = i / n_arms;
            let per_arm = n_samples.div_ceil(n_arms).max(1);
            let r = k as f64 / per_arm as f64;
            let t = 1.75 * 2.0 * PI * r + 2.0 * PI * arm as f64 / n_arms as f64;
            ([r * t.sin(), r * t.cos()], arm as u8)
        })
        .unzip()
}

fn shuffle_and_noise(
    points: Vec<[f64; 2]>,
    labels: Vec<u8>,
    n_classes: usize,
    noise: f64,
    rng: &mut StdRng,
) -> Dataset {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(rng);
    let mut x = Array2::zeros((order.len(), 2));
    let mut y = Vec::with_capacity(order.len());
    for (row, &i) in order.iter().enumerate() {
        for (j, &v) in points[i].iter().enumerate() {
            let e: f64 = rng.sample(StandardNormal);
            x[[row, j]] = v + noise * e;
        }
        y.push(labels[i]);
    }
    Dataset { x, y, n_classes }
}
