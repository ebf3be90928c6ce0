//! The check: each key's value on its own, then the rules between keys;
//! every problem named by key and value, and what is kept instead.

use std::fmt;
use std::ops::Deref;

use serde::Serialize;

use super::mapping::exponential_gamma;
use super::{Kind, ScheduleChoice, Settings, Spec, TABLE, Value, spec};
use crate::error::{ConfigError, Result};
use crate::io::json::{Json, parse_document};
use crate::net::mlp::{MAX_BATCH_VALUES, MAX_PARAMS, buffer_values, param_count};
use crate::range::{Range, number_text};
use crate::train::Trainer;
use crate::train::config::MAX_CONFIG_BYTES;
use crate::train::schedule::Schedule;

/// Why a value cannot be used. `code` (the serialised tag) names it for the
/// page, which words it in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Issue {
    /// Not a key of the table.
    UnknownKey,
    NotNumber,
    NotWhole,
    NotBool,
    OneOf {
        choices: &'static [&'static str],
    },
    Outside {
        range: Range,
    },
    /// Not a list of whole numbers.
    NotLayers,
    TooManyLayers {
        max: usize,
    },
    LayerWidth {
        range: Range,
    },
    /// Under the exponential schedule, `sched_gamma` gives the same factor per
    /// epoch as `same_as`, the value a link keeps for it.
    Indistinct {
        same_as: f64,
    },
    /// The warm-up cosine schedule's warm-up does not end before its last epoch.
    Warmup {
        warmup: u32,
        total: u32,
    },
    TooManyParams {
        count: usize,
        max: usize,
    },
    /// The training rows times the layers' total width exceed the buffers' limit.
    TooManyValues {
        rows: usize,
        count: usize,
        max: usize,
    },
    /// A set that must hold at least one of `choices` holds none.
    NoneChosen {
        choices: &'static [&'static str],
    },
    /// A set names `name` twice.
    Twice {
        name: String,
    },
    /// A list per hidden layer whose length is not the number of layers.
    PerLayer {
        count: usize,
        layers: usize,
    },
}

impl Issue {
    /// Every code an issue can have (the page has a message for each).
    pub const CODES: &'static [&'static str] = &[
        "unknown_key",
        "not_number",
        "not_whole",
        "not_bool",
        "one_of",
        "outside",
        "not_layers",
        "too_many_layers",
        "layer_width",
        "indistinct",
        "warmup",
        "too_many_params",
        "too_many_values",
        "none_chosen",
        "twice",
        "per_layer",
    ];
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownKey => write!(f, "not a setting"),
            Self::NotNumber => write!(f, "not a number"),
            Self::NotWhole => write!(f, "not a whole number"),
            Self::NotBool => write!(f, "expected 0 or 1"),
            Self::OneOf { choices } => write!(f, "expected one of {}", choices.join(", ")),
            Self::Outside { range } => write!(f, "must be {range}"),
            Self::NotLayers => write!(f, "expected layer sizes such as 10,8 (or - for none)"),
            Self::TooManyLayers { max } => write!(f, "at most {max} hidden layers"),
            Self::LayerWidth { range } => write!(f, "each layer's size must be {range}"),
            Self::Indistinct { same_as } => write!(
                f,
                "the exponential schedule cannot tell it from {} (the same factor per epoch)",
                number_text(*same_as)
            ),
            Self::Warmup { warmup, total } => write!(
                f,
                "the warm-up cosine schedule warms up for a tenth of sched_epochs (at least 1), \
                 so {warmup} of {total} epochs leave none to anneal"
            ),
            Self::TooManyParams { count, max } => {
                write!(f, "the network would have {count} parameters; the limit is {max}")
            }
            Self::TooManyValues { rows, count, max } => write!(
                f,
                "{rows} training points through these layers need {count} values per pass; \
                 the limit is {max}"
            ),
            Self::NoneChosen { choices } => {
                write!(f, "choose at least one of {}", choices.join(", "))
            }
            Self::Twice { name } => write!(f, "{name} is listed twice"),
            Self::PerLayer { count, layers } => write!(
                f,
                "{count} activations for {layers} hidden layers: give one per layer, or - for none"
            ),
        }
    }
}

/// A key that cannot be used: the key, its value as given, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub key: String,
    pub value: String,
    #[serde(flatten)]
    pub issue: Issue,
    /// The whole problem in English, e.g. `lr=0: must be in (0, 1000000]`.
    pub message: String,
}

/// Longest value a problem repeats (a link may carry anything).
const MAX_VALUE_CHARS: usize = 40;

impl Problem {
    fn new(key: &str, value: &str, issue: Issue) -> Self {
        let key: String = key.chars().take(MAX_VALUE_CHARS).collect();
        let value: String = value.chars().take(MAX_VALUE_CHARS).collect();
        let message = format!("{key}={value}: {issue}");
        Self {
            key,
            value,
            issue,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A number written as text (a link's) or as a JSON number.
fn number(raw: &Json) -> Option<f64> {
    let x = match raw {
        Json::Int(i) => *i as f64,
        Json::UInt(u) => *u as f64,
        Json::Float(x) => *x,
        Json::Str(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// The text a problem repeats for a raw value.
fn raw_text(raw: &Json) -> String {
    match raw {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Int(i) => i.to_string(),
        Json::UInt(u) => u.to_string(),
        Json::Float(x) => number_text(*x),
        Json::Str(s) => s.clone(),
        Json::Arr(items) => items.iter().map(raw_text).collect::<Vec<_>>().join(","),
        Json::Obj(_) => "{…}".into(),
    }
}

impl Spec {
    /// Reads a raw value (JSON, or the text of a link) for this key.
    pub fn read(&self, raw: &Json) -> std::result::Result<Value, Issue> {
        match self.kind {
            Kind::Number(range) | Kind::Whole(range) => {
                let x = number(raw).ok_or(Issue::NotNumber)?;
                if matches!(self.kind, Kind::Whole(_)) && x.fract() != 0.0 {
                    return Err(Issue::NotWhole);
                }
                if !range.contains(x) {
                    return Err(Issue::Outside { range });
                }
                Ok(Value::Number(x))
            }
            Kind::Bool => match raw {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::Str(s) if s == "1" || s == "true" => Ok(Value::Bool(true)),
                Json::Str(s) if s == "0" || s == "false" => Ok(Value::Bool(false)),
                Json::Int(1) | Json::UInt(1) => Ok(Value::Bool(true)),
                Json::Int(0) | Json::UInt(0) => Ok(Value::Bool(false)),
                _ => Err(Issue::NotBool),
            },
            Kind::Choice(choices) => match raw {
                Json::Str(s) => choices
                    .iter()
                    .find(|&&c| c == s)
                    .map(|&c| Value::Name(c))
                    .ok_or(Issue::OneOf { choices }),
                _ => Err(Issue::OneOf { choices }),
            },
            Kind::Layers { count, width } => {
                let whole = |raw: &Json| number(raw).filter(|x| x.fract() == 0.0);
                let sizes: Option<Vec<f64>> = match raw {
                    Json::Str(s) if s.is_empty() || s == "-" => Some(Vec::new()),
                    Json::Str(s) => s.split(',').map(|p| whole(&Json::Str(p.into()))).collect(),
                    Json::Arr(items) => items.iter().map(whole).collect(),
                    one => whole(one).map(|n| vec![n]),
                };
                let sizes = sizes.ok_or(Issue::NotLayers)?;
                if sizes.len() > count {
                    return Err(Issue::TooManyLayers { max: count });
                }
                if !sizes.iter().all(|&n| width.contains(n)) {
                    return Err(Issue::LayerWidth { range: width });
                }
                // Whole numbers within `width`: the casts are exact.
                Ok(Value::Layers(sizes.iter().map(|&n| n as usize).collect()))
            }
            Kind::Set(choices) => {
                let names = read_names(raw, choices)?;
                if names.is_empty() {
                    return Err(Issue::NoneChosen { choices });
                }
                if let Some(i) = (1..names.len()).find(|&i| names[..i].contains(&names[i])) {
                    return Err(Issue::Twice {
                        name: names[i].into(),
                    });
                }
                // A set: its order is the table's, whatever the link's.
                let in_order = choices.iter().copied().filter(|c| names.contains(c));
                Ok(Value::Names(in_order.collect()))
            }
            Kind::PerLayer { count, choices } => {
                let names = read_names(raw, choices)?;
                if names.len() > count {
                    return Err(Issue::TooManyLayers { max: count });
                }
                Ok(Value::Names(names))
            }
        }
    }
}

/// A list of `choices` written as `a,b` (`-` or nothing for none) or as a
/// JSON array of names.
fn read_names(raw: &Json, choices: &'static [&'static str]) -> std::result::Result<Vec<&'static str>, Issue> {
    let one = |name: &str| {
        choices
            .iter()
            .copied()
            .find(|&c| c == name.trim())
            .ok_or(Issue::OneOf { choices })
    };
    match raw {
        Json::Str(s) if s.trim().is_empty() || s.trim() == "-" => Ok(Vec::new()),
        Json::Str(s) => s.split(',').map(one).collect(),
        Json::Arr(items) => items
            .iter()
            .map(|item| match item {
                Json::Str(s) => one(s),
                _ => Err(Issue::OneOf { choices }),
            })
            .collect(),
        _ => Err(Issue::OneOf { choices }),
    }
}

/// Settings that passed the check (only this module makes them), so a run
/// can start from them without checking again. The default is the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Checked(pub(super) Settings);

impl Deref for Checked {
    type Target = Settings;
    fn deref(&self) -> &Settings {
        &self.0
    }
}

impl Checked {
    /// A fresh run from these settings.
    pub fn start(&self) -> Result<Trainer> {
        Trainer::start(self.to_config())
    }

    /// Applies these settings to `run` in place when they differ from its
    /// config only in what applies live (returns `true`); otherwise leaves
    /// the run as it is and returns `false`: it needs `start`.
    pub fn apply_live(&self, run: &mut Trainer) -> Result<bool> {
        let config = self.to_config();
        if !run.is_live_change(&config) {
            return Ok(false);
        }
        run.apply_live(config)?;
        Ok(true)
    }
}

/// The outcome of `resolve`: consistent settings, and every problem met on the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    pub settings: Checked,
    pub problems: Vec<Problem>,
}

/// Where a key's value came from: each key that cannot be used moves one step down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Input,
    Base,
    Default,
}

fn field<'a>(object: Option<&'a [(String, Json)]>, key: &str) -> Option<&'a Json> {
    object?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Settings from `input` (key → value, as JSON or as a link's text) over
/// `base` (the settings they change; the defaults when `None`). Every key of
/// `input` the engine cannot use keeps its value in `base` (or its default, if
/// that one cannot be used either) and is reported with its value and why;
/// then the rules between keys are checked, and the key that breaks one is
/// given up in the same way, the keys `input` set first, until the settings
/// are consistent. Keys that are not settings are reported and ignored.
pub fn resolve(input: &[(String, Json)], base: Option<&[(String, Json)]>) -> Resolved {
    let mut settings = Settings::default();
    let mut sources = vec![Source::Default; TABLE.len()];
    let mut problems = Vec::new();
    for (key, raw) in input {
        if spec(key).is_none() {
            problems.push(Problem::new(key, &raw_text(raw), Issue::UnknownKey));
        }
    }
    for (i, spec) in TABLE.iter().enumerate() {
        for (source, raw) in [
            (Source::Input, field(Some(input), spec.key)),
            (Source::Base, field(base, spec.key)),
        ] {
            let Some(raw) = raw else { continue };
            match spec.read(raw) {
                Ok(v) => {
                    settings.set(spec.key, &v);
                    sources[i] = source;
                    break;
                }
                Err(issue) => problems.push(Problem::new(spec.key, &raw_text(raw), issue)),
            }
        }
    }
    while let Some((issue, keys)) = settings.broken_rule() {
        let index = |key: &str| TABLE.iter().position(|s| s.key == key);
        let culprit = [Source::Input, Source::Base].iter().find_map(|&source| {
            keys.iter()
                .filter_map(|k| index(k))
                .find(|&i| sources[i] == source)
        });
        // The defaults keep every rule (a test holds this), so a broken rule
        // always has a key that did not come from them.
        let Some(i) = culprit else { break };
        let key = TABLE[i].key;
        let shown = settings.get(key).map(|v| v.text()).unwrap_or_default();
        problems.push(Problem::new(key, &shown, issue));
        let from_base = (sources[i] == Source::Input)
            .then(|| field(base, key).and_then(|raw| TABLE[i].read(raw).ok()))
            .flatten();
        match from_base {
            Some(v) => {
                settings.set(key, &v);
                sources[i] = Source::Base;
            }
            None => {
                if let Some(v) = Settings::default().get(key) {
                    settings.set(key, &v);
                }
                sources[i] = Source::Default;
            }
        }
    }
    // Under the exponential schedule, values of sched_gamma that give the same
    // factor per epoch are one value: keep the one a link reads back.
    if settings.schedule == ScheduleChoice::Exponential {
        let kept = exponential_gamma(settings.sched_gamma);
        if kept != settings.sched_gamma {
            let issue = Issue::Indistinct { same_as: kept };
            problems.push(Problem::new(
                "sched_gamma",
                &number_text(settings.sched_gamma),
                issue,
            ));
            settings.sched_gamma = kept;
        }
    }
    Resolved {
        settings: Checked(settings),
        problems,
    }
}

/// `resolve` for settings that must be used as given: any problem is an
/// error at `settings`, listing every problem.
pub fn read(input: &[(String, Json)]) -> Result<Checked> {
    let Resolved { settings, problems } = resolve(input, None);
    if problems.is_empty() {
        return Ok(settings);
    }
    let list: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    Err(ConfigError::invalid("settings", list.join("; ")))
}

/// The fields of a settings object written as JSON text (at most
/// `MAX_CONFIG_BYTES`); `root` names it in errors.
pub fn parse(text: &str, root: &str) -> Result<Vec<(String, Json)>> {
    match parse_document(text, root, MAX_CONFIG_BYTES)? {
        Json::Obj(fields) => Ok(fields),
        _ => Err(ConfigError::invalid(root, "expected a JSON object")),
    }
}

impl Settings {
    /// The first rule between keys these settings break, and the keys that
    /// take part in it, the one to give up first leading.
    pub(super) fn broken_rule(&self) -> Option<(Issue, &'static [&'static str])> {
        if !self.activations.is_empty() && self.activations.len() != self.layers.len() {
            let issue = Issue::PerLayer {
                count: self.activations.len(),
                layers: self.layers.len(),
            };
            return Some((issue, &["activations", "layers"]));
        }
        let config = self.to_config();
        if let Schedule::WarmupCosine { warmup, total } = config.schedule
            && config.schedule.validate().is_err()
        {
            return Some((Issue::Warmup { warmup, total }, &["sched_epochs", "schedule"]));
        }
        // With `output` left to the data, the sizes are always defined.
        let sizes = config
            .network
            .sizes(config.dataset.n_classes())
            .unwrap_or_default();
        let count = param_count(&sizes, self.bn);
        if count > MAX_PARAMS {
            let issue = Issue::TooManyParams {
                count,
                max: MAX_PARAMS,
            };
            return Some((issue, &["layers", "features", "bn", "dataset"]));
        }
        let rows = config.dataset.train_rows();
        let count = buffer_values(rows, &sizes);
        if count > MAX_BATCH_VALUES {
            let issue = Issue::TooManyValues {
                rows,
                count,
                max: MAX_BATCH_VALUES,
            };
            return Some((issue, &["layers", "features", "n", "ratio", "dataset"]));
        }
        None
    }
}
