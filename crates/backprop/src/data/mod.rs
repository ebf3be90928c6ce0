//! The points a run trains on: a train/test split in data space, the
//! standard scaler fitted on the training rows, and the scaled copies the
//! model sees. Points can be added and removed one at a time. A point has
//! a class label, or (regression) a real value to predict.

pub mod dataset;
pub mod features;
pub mod regression;
pub mod scaler;

use ndarray::Array2;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::data::dataset::Dataset;
use crate::data::features::Feature;
use crate::data::regression::Values;
use crate::data::scaler::StandardScaler;
use crate::error::{ConfigError, Result};
use crate::range::Range;

/// The tutorial's exact data, as scikit-learn made and split it.
const TUTORIAL_CSV: &str = include_str!("../../data/tutorial_moons.csv");
/// Training rows of the tutorial's split (800 of its 1000 points).
pub const TUTORIAL_TRAIN_ROWS: usize = 800;

/// Largest number of points a run may hold (generated, imported or drawn).
pub const MAX_POINTS: usize = 100_000;
/// The share of generated points that train; the rest test. Both sides keep at least a share.
pub const TRAIN_RATIO: Range = Range::open(0.0, 1.0);

/// How many of `n` points train at `train_ratio`: `round(n * train_ratio)`,
/// at least one (when there are any) and at most all.
pub fn train_rows(n: usize, train_ratio: f64) -> usize {
    ((n as f64 * train_ratio).round() as usize).clamp(1.min(n), n)
}

/// Points in data space with labels and a train/test flag, and the model-space copies.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    n_classes: usize,
    standardize: bool,
    /// All points in data space, `[n, 2]` row-major.
    points: Vec<f64>,
    labels: Vec<u8>,
    /// 1 for a test point, 0 for a training point.
    is_test: Vec<u8>,
    scaler: StandardScaler,
    /// The network's inputs, computed from each scaled point (`features`).
    features: Vec<Feature>,
    /// Training inputs `[n_train, features]` (the scaled point's features) and their labels.
    pub train_x: Vec<f64>,
    pub train_y: Vec<u8>,
    /// Test inputs `[n_test, features]` and their labels.
    pub test_x: Vec<f64>,
    pub test_y: Vec<u8>,
    /// For each training row, the index of its point in `points()`.
    pub train_points: Vec<u32>,
    /// Regression: each point's value (labels are then all 0); `None` for classes.
    values: Option<Vec<f64>>,
    /// Regression: the values of the training and test rows, in their order.
    pub train_v: Vec<f64>,
    pub test_v: Vec<f64>,
    /// The points are one number `x`, stored as `(x, 0)` (a curve `y = f(x)`).
    one_d: bool,
}

/// What regression data is: one value per point, and whether points are 1-D.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueShape {
    pub one_d: bool,
}

impl Data {
    /// Splits `dataset` with a seeded shuffle: `round(n * train_ratio)` rows (at
    /// least one) train, the rest test.
    pub fn split(dataset: Dataset, train_ratio: f64, standardize: bool, seed: u64) -> Result<Self> {
        check_train_ratio(train_ratio)?;
        let n = dataset.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let n_train = train_rows(n, train_ratio);
        let mut is_test = vec![1u8; n];
        for &i in &order[..n_train] {
            is_test[i] = 0;
        }
        let points = dataset.x.as_slice().map(<[f64]>::to_vec).unwrap_or_default();
        Self::from_parts(points, dataset.y, is_test, dataset.n_classes, standardize)
    }

    /// The tutorial's data: `make_moons(1000, noise=0.2, random_state=42)` split
    /// 800/200 by `train_test_split(test_size=0.2, random_state=42)`.
    pub fn tutorial(standardize: bool) -> Self {
        let mut points = Vec::with_capacity(2000);
        let mut labels = Vec::with_capacity(1000);
        let mut is_test = Vec::with_capacity(1000);
        for line in TUTORIAL_CSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut fields = line.split(',');
            let split = fields.next().unwrap_or_default();
            let mut num = || {
                fields
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            let (x0, x1, y) = (num(), num(), num());
            points.extend([x0, x1]);
            labels.push(y as u8);
            is_test.push(u8::from(split == "test"));
        }
        // The file is part of the crate and checked by its tests; parsing cannot fail at run time.
        Self::from_parts(points, labels, is_test, 2, standardize)
            .unwrap_or_else(|_| Self::empty(2, standardize))
    }

    /// No points yet ("draw your own").
    pub fn empty(n_classes: usize, standardize: bool) -> Self {
        Self {
            n_classes,
            standardize,
            points: Vec::new(),
            labels: Vec::new(),
            is_test: Vec::new(),
            scaler: StandardScaler::identity(2),
            features: features::PLAIN.to_vec(),
            train_x: Vec::new(),
            train_y: Vec::new(),
            test_x: Vec::new(),
            test_y: Vec::new(),
            train_points: Vec::new(),
            values: None,
            train_v: Vec::new(),
            test_v: Vec::new(),
            one_d: false,
        }
    }

    /// No points yet, for regression ("draw your own" values or curve).
    pub fn empty_values(shape: ValueShape, standardize: bool) -> Self {
        Self {
            values: Some(Vec::new()),
            one_d: shape.one_d,
            ..Self::empty(1, standardize)
        }
    }

    /// Regression points split like `split` splits classes.
    pub fn split_values(
        set: Values,
        shape: ValueShape,
        train_ratio: f64,
        standardize: bool,
        seed: u64,
    ) -> Result<Self> {
        check_train_ratio(train_ratio)?;
        let n = set.values.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let mut is_test = vec![1u8; n];
        for &i in &order[..train_rows(n, train_ratio)] {
            is_test[i] = 0;
        }
        Self::from_values(set.points, set.values, is_test, shape, standardize)
    }

    /// Regression points `[n, 2]` (`(x, 0)` when 1-D), values and test flags, validated.
    pub fn from_values(
        points: Vec<f64>,
        values: Vec<f64>,
        is_test: Vec<u8>,
        shape: ValueShape,
        standardize: bool,
    ) -> Result<Self> {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(ConfigError::out_of_range(
                format!("data.values[{i}]"),
                "finite values",
                values[i],
            ));
        }
        if shape.one_d
            && let Some(i) = (0..points.len() / 2).find(|&i| points[2 * i + 1] != 0.0)
        {
            return Err(ConfigError::out_of_range(
                format!("data.points[{i}]"),
                "(x, 0) for a curve's points",
                points[2 * i + 1],
            ));
        }
        let labels = vec![0; values.len()];
        let mut data = Self::from_parts(points, labels, is_test, 1, standardize)?;
        data.values = Some(values);
        data.one_d = shape.one_d;
        data.rebuild();
        Ok(data)
    }

    /// Points `[n, 2]`, labels and test flags as given, validated.
    pub fn from_parts(
        points: Vec<f64>,
        labels: Vec<u8>,
        is_test: Vec<u8>,
        n_classes: usize,
        standardize: bool,
    ) -> Result<Self> {
        let n = labels.len();
        if points.len() != 2 * n || is_test.len() != n {
            return Err(ConfigError::invalid(
                "data",
                format!("{n} labels need {} coordinates and {n} split flags", 2 * n),
            ));
        }
        if n > MAX_POINTS {
            return Err(ConfigError::out_of_range("data", "at most 100000 points", n));
        }
        if let Some(i) = points.iter().position(|v| !v.is_finite()) {
            return Err(ConfigError::out_of_range(
                format!("data.points[{}]", i / 2),
                "finite coordinates",
                points[i],
            ));
        }
        // Any other flag would be a test point here but a training point in a CSV export.
        if let Some(i) = is_test.iter().position(|&f| f > 1) {
            return Err(ConfigError::out_of_range(
                format!("data.test[{i}]"),
                "0 (a training point) or 1 (a test point)",
                is_test[i],
            ));
        }
        if let Some(i) = labels.iter().position(|&c| usize::from(c) >= n_classes) {
            return Err(ConfigError::out_of_range(
                format!("data.labels[{i}]"),
                "a class index below the number of classes",
                labels[i],
            ));
        }
        let mut data = Self {
            points,
            labels,
            is_test,
            ..Self::empty(n_classes, standardize)
        };
        data.rebuild();
        Ok(data)
    }

    /// Refits the scaler on the training rows and rebuilds the scaled copies.
    fn rebuild(&mut self) {
        let train_rows: Vec<usize> = (0..self.len()).filter(|&i| self.is_test[i] == 0).collect();
        let mut raw = Array2::zeros((train_rows.len(), 2));
        for (r, &i) in train_rows.iter().enumerate() {
            raw[[r, 0]] = self.points[2 * i];
            raw[[r, 1]] = self.points[2 * i + 1];
        }
        self.scaler = if self.standardize {
            StandardScaler::fit(raw.view())
        } else {
            StandardScaler::identity(2)
        };
        let (mut train_x, mut train_y, mut test_x, mut test_y) = (vec![], vec![], vec![], vec![]);
        let (mut train_v, mut test_v) = (vec![], vec![]);
        self.train_points.clear();
        for i in 0..self.len() {
            let p = self
                .scaler
                .transform_point([self.points[2 * i], self.points[2 * i + 1]]);
            let (xs, ys) = if self.is_test[i] == 0 {
                self.train_points.push(i as u32);
                (&mut train_x, &mut train_y)
            } else {
                (&mut test_x, &mut test_y)
            };
            features::write(&self.features, p, xs);
            ys.push(self.labels[i]);
            if let Some(values) = &self.values {
                let vs = if self.is_test[i] == 0 {
                    &mut train_v
                } else {
                    &mut test_v
                };
                vs.push(values[i]);
            }
        }
        (self.train_x, self.train_y, self.test_x, self.test_y) = (train_x, train_y, test_x, test_y);
        (self.train_v, self.test_v) = (train_v, test_v);
    }

    /// Makes the network's inputs `features` of each scaled point (checked
    /// by the config: at least one, none twice).
    pub fn set_features(&mut self, features: &[Feature]) {
        if self.features != features {
            self.features = features.to_vec();
            self.rebuild();
        }
    }

    /// The network's inputs, in order.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// Points `[rows, 2]` in data space as the network's feature-major input
    /// `[features, rows]`: scaled, then each feature computed.
    pub fn inputs_feature_major(&self, points: &[f64], x: &mut [f64], rows: usize) {
        features::fill_feature_major(&self.features, &self.scaler, points, x, rows);
    }

    /// Point `i` (an index into `points()`) scaled, before any feature.
    pub fn scaled_point(&self, i: usize) -> [f64; 2] {
        self.scaler
            .transform_point([self.points[2 * i], self.points[2 * i + 1]])
    }

    /// Adds a point (data space) with its class; the scaler is refitted.
    /// Errors name the bad value.
    pub fn add_point(&mut self, x: f64, y: f64, label: u8, test: bool) -> Result<()> {
        if self.values.is_some() {
            return Err(ConfigError::invalid(
                "point.label",
                "these points have values, not classes",
            ));
        }
        self.insert(x, y, label, test)
    }

    /// Adds a point with `label` (0 for regression, whose value the caller has pushed).
    fn insert(&mut self, x: f64, y: f64, label: u8, test: bool) -> Result<()> {
        if !x.is_finite() || !y.is_finite() {
            return Err(ConfigError::out_of_range(
                "point",
                "finite coordinates",
                format!("({x}, {y})"),
            ));
        }
        if usize::from(label) >= self.n_classes {
            return Err(ConfigError::out_of_range(
                "point.label",
                "a class index below the number of classes",
                label,
            ));
        }
        if self.len() >= MAX_POINTS {
            return Err(ConfigError::out_of_range(
                "data",
                "at most 100000 points",
                self.len() + 1,
            ));
        }
        self.points.extend([x, y]);
        self.labels.push(label);
        self.is_test.push(u8::from(test));
        self.rebuild();
        Ok(())
    }

    /// Adds a regression point `(x, y)` (data space; `y` must be 0 for a
    /// curve) with its value; the scaler is refitted.
    pub fn add_value_point(&mut self, x: f64, y: f64, value: f64, test: bool) -> Result<()> {
        if self.values.is_none() {
            return Err(ConfigError::invalid(
                "point.value",
                "these points have classes, not values",
            ));
        }
        if !value.is_finite() {
            return Err(ConfigError::out_of_range("point.value", "finite", value));
        }
        if self.one_d && y != 0.0 {
            return Err(ConfigError::out_of_range("point.y", "0 for a curve's points", y));
        }
        // The value goes in first, so that `insert`'s rebuild sees it; it
        // comes out again if the point is refused.
        if let Some(values) = &mut self.values {
            values.push(value);
        }
        let added = self.insert(x, y, 0, test);
        if added.is_err()
            && let Some(values) = &mut self.values
        {
            values.pop();
        }
        added
    }

    /// Removes the point nearest to `(x, y)` in data space; returns its index, if any.
    pub fn remove_nearest(&mut self, x: f64, y: f64) -> Option<usize> {
        let i = (0..self.len()).min_by(|&a, &b| {
            let d = |i: usize| (self.points[2 * i] - x).powi(2) + (self.points[2 * i + 1] - y).powi(2);
            d(a).total_cmp(&d(b))
        })?;
        self.points.drain(2 * i..2 * i + 2);
        self.labels.remove(i);
        self.is_test.remove(i);
        if let Some(values) = &mut self.values {
            values.remove(i);
        }
        self.rebuild();
        Some(i)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }
    pub fn n_train(&self) -> usize {
        self.train_y.len()
    }
    pub fn n_test(&self) -> usize {
        self.test_y.len()
    }
    /// All points in data space, `[n, 2]`.
    pub fn points(&self) -> &[f64] {
        &self.points
    }
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }
    /// 1 for test points, 0 for training points.
    pub fn test_flags(&self) -> &[u8] {
        &self.is_test
    }
    pub fn scaler(&self) -> &StandardScaler {
        &self.scaler
    }
    pub fn standardize(&self) -> bool {
        self.standardize
    }
    /// Regression: each point's value; `None` when points have classes.
    pub fn values(&self) -> Option<&[f64]> {
        self.values.as_deref()
    }
    /// Whether the points are one number `x` (stored as `(x, 0)`).
    pub fn is_1d(&self) -> bool {
        self.one_d
    }
}

pub(crate) fn check_train_ratio(r: f64) -> Result<()> {
    TRAIN_RATIO.check("dataset.train_ratio", r)
}
