//! The page's settings: one flat key per setting, as the URL hash, `mount()`'s
//! options and the custom element's attributes write them (`layers=10,8`,
//! `optimizer=adam`, `sched_epochs=500`). This module owns them:
//!
//! - `TABLE` describes each key: its kind, range or choices, whether it
//!   applies to a live run or needs a fresh one, and when it matters at all
//!   (`momentum` only for SGD with momentum). Defaults are `Settings::default()`.
//!   The page builds its link format and its controls from it, so each name
//!   and bound is written once: here, or beside the code that uses it
//!   (`optim::LR`, `dataset::NOISE`, …), where the config's validation reads it too.
//! - `Settings::to_config` maps the flat settings onto a `TrainConfig` (the
//!   page's own rules, such as a warm-up of a tenth of `sched_epochs`, live
//!   here and nowhere else), and `from_config` maps a config back, naming the
//!   fields a link cannot hold.
//! - `resolve` checks settings and reports every problem by key and value:
//!   each key on its own, then the rules between keys. A key that cannot be
//!   used keeps its previous value (or its default), and the result is
//!   checked again until it is consistent. A check is arithmetic: it never
//!   builds a network or makes data, and a run starts from its result
//!   (`Checked`) without checking again.

mod check;
mod mapping;

pub use check::{Checked, Issue, Problem, Resolved, parse, read, resolve};
pub use mapping::from_config;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::data::dataset::{NOISE, SAMPLES};
use crate::data::features::{self, Feature};
use crate::data::{MAX_POINTS, TRAIN_RATIO};
use crate::net::activation::ActivationKind;
use crate::net::init::InitKind;
use crate::net::mlp::{MAX_HIDDEN, WIDTH};
use crate::range::{Bound, Range, number_text};
use crate::train::clip::THRESHOLD;
use crate::train::config::{CustomKind, DataSource, LAMBDA};
use crate::train::optim::{DECAY, EPS, LR, Momentum, OptimizerConfig};
use crate::train::schedule::EPOCHS;

/// The largest integer a JavaScript number holds exactly: links and page
/// options carry the seed as one.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The seed of a link: any integer JavaScript holds exactly.
pub const SEED: Range = Range::closed(0.0, MAX_SAFE_INTEGER as f64);
/// The mini-batch setting: 0 for the full batch, else rows per step.
pub const BATCH: Range = Range::closed(0.0, MAX_POINTS as f64);
/// `sched_gamma`: the step schedule's decay (`schedule::GAMMA`) and the
/// exponential schedule's factor per hundred epochs. Below 0.01 the
/// exponential factor per epoch (`1 - (1 - g) / 100`) no longer tells values apart.
pub const SCHED_GAMMA: Range = Range::closed(0.01, 1.0);

/// A choice among named values: `ALL[i]` is written `NAMES[i]`.
pub trait Named: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    const NAMES: &'static [&'static str];

    fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|&c| c == self);
        i.and_then(|i| Self::NAMES.get(i)).copied().unwrap_or_default()
    }

    fn from_name(name: &str) -> Option<Self> {
        let i = Self::NAMES.iter().position(|&n| n == name)?;
        Self::ALL.get(i).copied()
    }
}

/// The config's own choices keep the names the config reads (see `decode`).
macro_rules! named_by_config {
    ($($t:ty),*) => {$(
        impl Named for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            const NAMES: &'static [&'static str] = <$t>::NAMES;
        }
    )*};
}
named_by_config!(DataSource, CustomKind, ActivationKind, InitKind, Feature);

/// Choices that exist only as settings (SGD's momentum is an optimizer of its own here).
macro_rules! choices {
    ($(#[$doc:meta])* $t:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $t {
            $($variant),+
        }

        impl Named for $t {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];
        }
    };
}

choices!(
    /// The optimizer: plain SGD, SGD with classical or Nesterov momentum, or an adaptive one.
    OptimizerChoice {
        Sgd = "sgd",
        Momentum = "momentum",
        Nesterov = "nesterov",
        RmsProp = "rmsprop",
        Adam = "adam",
        AdamW = "adamw",
        Adagrad = "adagrad",
    }
);

choices!(
    /// The learning-rate schedule.
    ScheduleChoice {
        Constant = "constant",
        Step = "step",
        Exponential = "exponential",
        Cosine = "cosine",
        WarmupCosine = "warmup_cosine",
        Cyclic = "cyclic",
    }
);

choices!(
    /// The penalty on the weights.
    PenaltyChoice { None = "none", L1 = "l1", L2 = "l2" }
);

choices!(
    /// Gradient clipping.
    ClipChoice { Off = "off", Norm = "norm", Value = "value" }
);

impl OptimizerChoice {
    /// The choice that `config` is.
    pub fn of(config: &OptimizerConfig) -> Self {
        match config {
            OptimizerConfig::Sgd(c) => match c.momentum {
                Momentum::None => Self::Sgd,
                Momentum::Classic(_) => Self::Momentum,
                Momentum::Nesterov(_) => Self::Nesterov,
            },
            OptimizerConfig::RmsProp(_) => Self::RmsProp,
            OptimizerConfig::Adam(_) => Self::Adam,
            OptimizerConfig::AdamW(_) => Self::AdamW,
            OptimizerConfig::Adagrad(_) => Self::Adagrad,
        }
    }
}

/// Every setting of a run, one field per key of `TABLE` (field name = key).
/// Defaults are the tutorial's run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub dataset: DataSource,
    pub custom: CustomKind,
    pub n: usize,
    pub noise: f64,
    pub ratio: f64,
    pub standardize: bool,
    pub seed: u64,
    pub layers: Vec<usize>,
    pub activation: ActivationKind,
    /// One activation per hidden layer; empty: every layer takes `activation`.
    pub activations: Vec<ActivationKind>,
    /// The network's inputs (at least one), in the order of `Feature::ALL`.
    pub features: Vec<Feature>,
    pub init: InitKind,
    pub bn: bool,
    pub optimizer: OptimizerChoice,
    pub lr: f64,
    pub momentum: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub alpha: f64,
    pub eps: f64,
    pub schedule: ScheduleChoice,
    pub sched_gamma: f64,
    pub sched_epochs: u32,
    pub batch: usize,
    pub reg: PenaltyChoice,
    pub lambda: f64,
    pub clip: ClipChoice,
    pub clip_at: f64,
    /// The bug hunt's seed: it picks the hunt's points, weights and hidden
    /// bug (`teach::bughunt`); the run these settings make ignores it.
    pub bug_seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dataset: DataSource::Moons,
            custom: CustomKind::Classes,
            n: 1000,
            noise: 0.2,
            ratio: 0.8,
            standardize: true,
            seed: 0,
            layers: vec![10, 8],
            activation: ActivationKind::Relu,
            activations: Vec::new(),
            features: features::PLAIN.to_vec(),
            init: InitKind::HeNormal,
            bn: false,
            optimizer: OptimizerChoice::Sgd,
            lr: 0.1,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            alpha: 0.99,
            eps: 1e-8,
            schedule: ScheduleChoice::Constant,
            sched_gamma: 0.5,
            sched_epochs: 500,
            batch: 0,
            reg: PenaltyChoice::None,
            lambda: 0.001,
            clip: ClipChoice::Off,
            clip_at: 1.0,
            bug_seed: 0,
        }
    }
}

/// What values a key takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Any number in the range.
    Number(Range),
    /// A whole number in the range.
    Whole(Range),
    /// On or off (`1`/`0`).
    Bool,
    /// One of these names.
    Choice(&'static [&'static str]),
    /// Hidden layer sizes (`10,8`, or `-` for none): at most `count` of them, each in `width`.
    Layers { count: usize, width: Range },
    /// Some of these names (`x1_sq,x2_sq`), at least one, none twice; kept
    /// in the order of the names.
    Set(&'static [&'static str]),
    /// One of these names per hidden layer (`tanh,relu`), or `-` for none;
    /// at most `count`.
    PerLayer {
        count: usize,
        choices: &'static [&'static str],
    },
}

/// When a key matters: only while `key`'s value makes `holds` true.
#[derive(Debug, Clone, Copy)]
pub struct When {
    pub key: &'static str,
    pub holds: fn(&Settings) -> bool,
}

/// One key of the table.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub key: &'static str,
    pub kind: Kind,
    /// Applies to a live run (optimizer, schedule, …); otherwise changing it starts a fresh run.
    pub live: bool,
    /// `None`: the key always matters.
    pub when: Option<When>,
    /// Whether the run's config holds it; `bug_seed` names the bug hunt, not the run.
    pub in_config: bool,
}

const fn reset(key: &'static str, kind: Kind) -> Spec {
    Spec {
        key,
        kind,
        live: false,
        when: None,
        in_config: true,
    }
}

const fn live(key: &'static str, kind: Kind) -> Spec {
    Spec {
        key,
        kind,
        live: true,
        when: None,
        in_config: true,
    }
}

impl Spec {
    const fn when(self, key: &'static str, holds: fn(&Settings) -> bool) -> Self {
        Self {
            when: Some(When { key, holds }),
            ..self
        }
    }

    /// A key the run's config does not hold (it changes no run, so it is live).
    const fn outside_config(self) -> Self {
        Self {
            in_config: false,
            ..self
        }
    }

    /// Whether the key matters with these settings.
    pub fn applies(&self, s: &Settings) -> bool {
        self.when.is_none_or(|w| (w.holds)(s))
    }
}

fn generated(s: &Settings) -> bool {
    s.dataset.is_generated()
}

/// Every key, in the order links write them.
pub const TABLE: &[Spec] = &[
    reset("dataset", Kind::Choice(DataSource::NAMES)),
    // What drawn or imported points carry: classes, 2-D values or a curve's values.
    reset("custom", Kind::Choice(CustomKind::NAMES)).when("dataset", |s| s.dataset == DataSource::Custom),
    reset("n", Kind::Whole(SAMPLES)).when("dataset", generated),
    reset("noise", Kind::Number(NOISE)).when("dataset", generated),
    reset("ratio", Kind::Number(TRAIN_RATIO)).when("dataset", generated),
    reset("standardize", Kind::Bool),
    reset("seed", Kind::Whole(SEED)),
    reset(
        "layers",
        Kind::Layers {
            count: MAX_HIDDEN,
            width: WIDTH,
        },
    ),
    reset("activation", Kind::Choice(ActivationKind::NAMES)),
    reset(
        "activations",
        Kind::PerLayer {
            count: MAX_HIDDEN,
            choices: ActivationKind::NAMES,
        },
    ),
    reset("features", Kind::Set(Feature::NAMES)),
    reset("init", Kind::Choice(InitKind::NAMES)),
    reset("bn", Kind::Bool),
    live("optimizer", Kind::Choice(OptimizerChoice::NAMES)),
    live("lr", Kind::Number(LR)),
    live("momentum", Kind::Number(DECAY)).when("optimizer", |s| {
        matches!(s.optimizer, OptimizerChoice::Momentum | OptimizerChoice::Nesterov)
    }),
    live("beta1", Kind::Number(DECAY)).when("optimizer", |s| {
        matches!(s.optimizer, OptimizerChoice::Adam | OptimizerChoice::AdamW)
    }),
    live("beta2", Kind::Number(DECAY)).when("optimizer", |s| {
        matches!(s.optimizer, OptimizerChoice::Adam | OptimizerChoice::AdamW)
    }),
    live("alpha", Kind::Number(DECAY)).when("optimizer", |s| s.optimizer == OptimizerChoice::RmsProp),
    live("eps", Kind::Number(EPS)).when("optimizer", |s| {
        !matches!(
            s.optimizer,
            OptimizerChoice::Sgd | OptimizerChoice::Momentum | OptimizerChoice::Nesterov
        )
    }),
    live("schedule", Kind::Choice(ScheduleChoice::NAMES)),
    live("sched_gamma", Kind::Number(SCHED_GAMMA)).when("schedule", |s| {
        matches!(s.schedule, ScheduleChoice::Step | ScheduleChoice::Exponential)
    }),
    live("sched_epochs", Kind::Whole(EPOCHS)).when("schedule", |s| {
        !matches!(s.schedule, ScheduleChoice::Constant | ScheduleChoice::Exponential)
    }),
    live("batch", Kind::Whole(BATCH)),
    live("reg", Kind::Choice(PenaltyChoice::NAMES)),
    live("lambda", Kind::Number(LAMBDA)).when("reg", |s| s.reg != PenaltyChoice::None),
    live("clip", Kind::Choice(ClipChoice::NAMES)),
    live("clip_at", Kind::Number(THRESHOLD)).when("clip", |s| s.clip != ClipChoice::Off),
    live("bug_seed", Kind::Whole(SEED)).outside_config(),
];

/// The table entry of `key`.
pub fn spec(key: &str) -> Option<&'static Spec> {
    TABLE.iter().find(|s| s.key == key)
}

/// One setting's value, as it crosses to JavaScript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    /// Numbers and whole numbers (exact up to 2^53).
    Number(f64),
    Name(&'static str),
    Layers(Vec<usize>),
    /// A set of names or one name per layer.
    Names(Vec<&'static str>),
}

impl Value {
    fn number(&self) -> f64 {
        match *self {
            Self::Number(x) => x,
            _ => f64::NAN,
        }
    }

    fn flag(&self) -> bool {
        matches!(self, Self::Bool(true))
    }

    fn choice<T: Named>(&self, current: T) -> T {
        match *self {
            Self::Name(name) => T::from_name(name).unwrap_or(current),
            _ => current,
        }
    }

    /// The value as a link writes it.
    pub fn text(&self) -> String {
        match self {
            Self::Bool(b) => if *b { "1" } else { "0" }.into(),
            Self::Number(x) => number_text(*x),
            Self::Name(name) => (*name).into(),
            Self::Layers(sizes) if sizes.is_empty() => "-".into(),
            Self::Layers(sizes) => sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
            Self::Names(names) if names.is_empty() => "-".into(),
            Self::Names(names) => names.join(","),
        }
    }

    fn names<T: Named>(&self) -> Vec<T> {
        match self {
            Self::Names(names) => names.iter().filter_map(|n| T::from_name(n)).collect(),
            _ => Vec::new(),
        }
    }
}

fn names_of<T: Named>(list: &[T]) -> Value {
    Value::Names(list.iter().map(|&c| c.name()).collect())
}

impl Settings {
    /// The value of `key`, or `None` for a key not in `TABLE`.
    pub fn get(&self, key: &str) -> Option<Value> {
        let number = |x: f64| Some(Value::Number(x));
        match key {
            "dataset" => Some(Value::Name(self.dataset.name())),
            "custom" => Some(Value::Name(self.custom.name())),
            "n" => number(self.n as f64),
            "noise" => number(self.noise),
            "ratio" => number(self.ratio),
            "standardize" => Some(Value::Bool(self.standardize)),
            "seed" => number(self.seed as f64),
            "layers" => Some(Value::Layers(self.layers.clone())),
            "activation" => Some(Value::Name(self.activation.name())),
            "activations" => Some(names_of(&self.activations)),
            "features" => Some(names_of(&self.features)),
            "init" => Some(Value::Name(self.init.name())),
            "bn" => Some(Value::Bool(self.bn)),
            "optimizer" => Some(Value::Name(self.optimizer.name())),
            "lr" => number(self.lr),
            "momentum" => number(self.momentum),
            "beta1" => number(self.beta1),
            "beta2" => number(self.beta2),
            "alpha" => number(self.alpha),
            "eps" => number(self.eps),
            "schedule" => Some(Value::Name(self.schedule.name())),
            "sched_gamma" => number(self.sched_gamma),
            "sched_epochs" => number(f64::from(self.sched_epochs)),
            "batch" => number(self.batch as f64),
            "reg" => Some(Value::Name(self.reg.name())),
            "lambda" => number(self.lambda),
            "clip" => Some(Value::Name(self.clip.name())),
            "clip_at" => number(self.clip_at),
            "bug_seed" => number(self.bug_seed as f64),
            _ => None,
        }
    }

    /// Sets `key` to `v`, a value `Spec::read` accepted for that key.
    fn set(&mut self, key: &str, v: &Value) {
        // Whole numbers were checked against their range, so the casts are exact.
        match key {
            "dataset" => self.dataset = v.choice(self.dataset),
            "custom" => self.custom = v.choice(self.custom),
            "n" => self.n = v.number() as usize,
            "noise" => self.noise = v.number(),
            "ratio" => self.ratio = v.number(),
            "standardize" => self.standardize = v.flag(),
            "seed" => self.seed = v.number() as u64,
            "layers" => {
                if let Value::Layers(sizes) = v {
                    self.layers.clone_from(sizes);
                }
            }
            "activation" => self.activation = v.choice(self.activation),
            "activations" => self.activations = v.names(),
            "features" => self.features = v.names(),
            "init" => self.init = v.choice(self.init),
            "bn" => self.bn = v.flag(),
            "optimizer" => self.optimizer = v.choice(self.optimizer),
            "lr" => self.lr = v.number(),
            "momentum" => self.momentum = v.number(),
            "beta1" => self.beta1 = v.number(),
            "beta2" => self.beta2 = v.number(),
            "alpha" => self.alpha = v.number(),
            "eps" => self.eps = v.number(),
            "schedule" => self.schedule = v.choice(self.schedule),
            "sched_gamma" => self.sched_gamma = v.number(),
            "sched_epochs" => self.sched_epochs = v.number() as u32,
            "batch" => self.batch = v.number() as usize,
            "reg" => self.reg = v.choice(self.reg),
            "lambda" => self.lambda = v.number(),
            "clip" => self.clip = v.choice(self.clip),
            "clip_at" => self.clip_at = v.number(),
            "bug_seed" => self.bug_seed = v.number() as u64,
            _ => {}
        }
    }
}

/// The settings as a map of key to value, in `TABLE`'s order.
impl Serialize for Settings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(TABLE.len()))?;
        for spec in TABLE {
            map.serialize_entry(spec.key, &self.get(spec.key))?;
        }
        map.end()
    }
}

/// The table as the page reads it (`settingsTable()` in the bindings).
#[derive(Debug, Serialize)]
pub struct TableView {
    pub keys: Vec<SpecView>,
    /// Every `Issue` code, so the page can hold a message for each.
    pub issues: &'static [&'static str],
}

/// One key of the table for the page: `kind` is `number`, `whole`, `bool`,
/// `choice`, `layers`, `set` or `per_layer`; `min`/`max` bound numbers and
/// each layer's size; `max_layers` bounds `layers` and `per_layer`;
/// `when` says which values of another key make this one matter.
#[derive(Debug, Serialize)]
pub struct SpecView {
    pub key: &'static str,
    pub kind: &'static str,
    pub default: Value,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub choices: &'static [&'static str],
    pub max_layers: Option<usize>,
    pub live: bool,
    pub when: Option<WhenView>,
    /// Whether the run's config holds the key (`bug_seed` is the bug hunt's).
    pub in_config: bool,
}

#[derive(Debug, Serialize)]
pub struct WhenView {
    pub key: &'static str,
    pub values: Vec<&'static str>,
}

/// The table for the page: each key with its default, and each `when` as
/// the list of values for which it holds.
pub fn table() -> TableView {
    let defaults = Settings::default();
    let keys = TABLE
        .iter()
        .map(|spec| {
            let (kind, range, choices, max_layers) = match spec.kind {
                Kind::Number(r) => ("number", Some(r), &[][..], None),
                Kind::Whole(r) => ("whole", Some(r), &[][..], None),
                Kind::Bool => ("bool", None, &[][..], None),
                Kind::Choice(c) => ("choice", None, c, None),
                Kind::Layers { count, width } => ("layers", Some(width), &[][..], Some(count)),
                Kind::Set(c) => ("set", None, c, None),
                Kind::PerLayer { count, choices } => ("per_layer", None, choices, Some(count)),
            };
            SpecView {
                key: spec.key,
                kind,
                default: defaults.get(spec.key).unwrap_or(Value::Bool(false)),
                min: range.and_then(|r| r.min),
                max: range.and_then(|r| r.max),
                choices,
                max_layers,
                live: spec.live,
                in_config: spec.in_config,
                when: spec.when.map(|w| WhenView {
                    key: w.key,
                    values: values_where(w),
                }),
            }
        })
        .collect();
    TableView {
        keys,
        issues: Issue::CODES,
    }
}

/// The values of `when.key` (a choice) for which `when` holds.
fn values_where(when: When) -> Vec<&'static str> {
    let Some(Kind::Choice(choices)) = spec(when.key).map(|s| s.kind) else {
        return Vec::new();
    };
    choices
        .iter()
        .copied()
        .filter(|&name| {
            let mut s = Settings::default();
            s.set(when.key, &Value::Name(name));
            (when.holds)(&s)
        })
        .collect()
}
