//! The contract a directory of reference files is held to, and the few tools
//! every checker keeps it with:
//!
//! - every file in the directory is known by name and goes to its checker; an
//!   unknown file, or a known one that is missing, fails;
//! - every object in a file is read under a `Schema` that puts each field in
//!   one of three lists: given to the engine (inputs), compared with what the
//!   engine computes, or not applicable, with the reason. A field in none of
//!   them fails, and so does a listed field that the checker never reads;
//! - every array is read at the shape the engine (or another field) says,
//!   level by level, before any value is compared, and a list of cases is
//!   never empty;
//! - every failure says where: the file, the path of the value
//!   (`cases[3].grad_weights[0][1][4]`) and the case's name.
//!
//! Checkers return `Checked` rather than panic, so that tests can hold a
//! broken directory to the contract and read why it failed.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// What a check returns: `Err` says where the file and the engine disagree.
pub type Checked<T = ()> = Result<T, String>;

/// `|actual - expected| <= abs + rel * |expected|`.
#[derive(Debug, Clone, Copy)]
pub struct Tol {
    pub abs: f64,
    pub rel: f64,
}

/// The reference README's suggested bound for a correct float64
/// implementation: round-off of a few ulps, grown by sums of up to a few
/// hundred terms, stays far below it, while any error in the maths is far above.
pub const REFERENCE: Tol = Tol {
    abs: 1e-10,
    rel: 1e-9,
};

/// Labels, counts, encodings and data copied bit for bit: nothing may differ.
pub const EXACT: Tol = Tol { abs: 0.0, rel: 0.0 };

/// Why the three fields every file opens with are not compared.
pub const DESCRIPTION: &str = "prose saying what was computed and how; its numbers are the other fields";
pub const CONVENTIONS: &str = "prose: the layout and number format every array here is read in";
pub const GENERATOR: &str = "the library versions that computed the file";

/// How a known file is checked. Each returns the number of cases it checked.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// A JSON reference file, from its parsed root.
    Json(fn(&Value) -> Checked<usize>),
    /// A text file, from its text.
    Text(fn(&str) -> Checked<usize>),
}

/// The directory of reference files: `BACKPROP_REFERENCE_DIR` when set, else the fixtures.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("BACKPROP_REFERENCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => fixtures_dir(),
    }
}

/// The project's own copies of the reference files.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference")
}

/// Holds `dir` to the contract: it must hold exactly the files of `registry`,
/// and each must pass its checker. Returns each file with its number of cases,
/// or every problem found, one per line, each starting with the file's name.
pub fn run(dir: &Path, registry: &[(&'static str, Check)]) -> Checked<Vec<(&'static str, usize)>> {
    let listing = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot list the reference directory: {e}", dir.display()))?;
    let mut present = BTreeSet::new();
    for entry in listing {
        let entry =
            entry.map_err(|e| format!("{}: cannot list the reference directory: {e}", dir.display()))?;
        present.insert(entry.file_name().to_string_lossy().into_owned());
    }
    let known: Vec<&str> = registry.iter().map(|&(name, _)| name).collect();
    let mut problems = Vec::new();
    for name in &present {
        if !known.contains(&name.as_str()) {
            problems.push(format!(
                "{name}: unknown file; a reference directory holds exactly {}",
                known.join(", ")
            ));
        }
    }
    let mut checked = Vec::new();
    for &(name, check) in registry {
        if !present.contains(name) {
            problems.push(format!("{name}: missing"));
            continue;
        }
        match check_file(&dir.join(name), check) {
            Ok(0) => problems.push(format!("{name}: the checker checked no case")),
            Ok(cases) => checked.push((name, cases)),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(format!(
            "{} does not hold to the reference contract:\n{}",
            dir.display(),
            problems.join("\n")
        ))
    }
}

fn check_file(path: &Path, check: Check) -> Checked<usize> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    match check {
        Check::Json(check) => {
            let root: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
            check(&root)
        }
        Check::Text(check) => check(&text),
    }
}

/// Where a value sits in its file (`cases[3].forward[1].z`) and, inside a
/// case, the case's name.
#[derive(Debug, Clone, Default)]
pub struct Loc {
    path: String,
    case: Option<String>,
}

impl Loc {
    /// The field `key` of the object here.
    pub fn key(&self, key: &str) -> Loc {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Loc {
            path,
            case: self.case.clone(),
        }
    }

    /// Element `i` of the list here.
    pub fn index(&self, i: usize) -> Loc {
        Loc {
            path: format!("{}[{i}]", self.path),
            case: self.case.clone(),
        }
    }

    /// An error about the value here.
    pub fn error(&self, message: impl fmt::Display) -> String {
        format!("{self}: {message}")
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        match &self.case {
            Some(case) => write!(f, "{path} (case {case:?})"),
            None => write!(f, "{path}"),
        }
    }
}

/// The fields of one kind of object, and what the checker does with each.
#[derive(Debug)]
pub struct Schema {
    /// Given to the engine: data, parameters and settings.
    pub inputs: &'static [&'static str],
    /// Compared with what the engine computes.
    pub compared: &'static [&'static str],
    /// Neither, each with the reason.
    pub not_applicable: &'static [(&'static str, &'static str)],
}

impl Schema {
    fn lists(&self, key: &str) -> bool {
        self.inputs.contains(&key)
            || self.compared.contains(&key)
            || self.not_applicable.iter().any(|&(k, _)| k == key)
    }

    fn must_be_read(&self, key: &str) -> bool {
        self.inputs.contains(&key) || self.compared.contains(&key)
    }
}

/// One object of a reference file, read under its schema. Reading a field
/// marks it; `finish` fails if a field listed as an input or compared was
/// never read.
#[derive(Debug)]
pub struct Fields<'a> {
    loc: Loc,
    map: &'a Map<String, Value>,
    schema: &'static Schema,
    read: RefCell<BTreeSet<String>>,
}

impl<'a> Fields<'a> {
    /// `value` as an object whose every field `schema` lists.
    pub fn new(value: &'a Value, loc: Loc, schema: &'static Schema) -> Checked<Self> {
        let map = value
            .as_object()
            .ok_or_else(|| loc.error(format!("expected an object, got {}", describe(value))))?;
        if let Some(key) = map.keys().find(|key| !schema.lists(key)) {
            return Err(loc.key(key).error(
                "a field the checker does not know: compare it, or list it as not applicable and why",
            ));
        }
        Ok(Self {
            loc,
            map,
            schema,
            read: RefCell::new(BTreeSet::new()),
        })
    }

    /// The same, for a case: messages inside it carry the text of its field `label`.
    pub fn case(value: &'a Value, mut loc: Loc, schema: &'static Schema, label: &str) -> Checked<Self> {
        if let Some(name) = value.get(label).and_then(Value::as_str) {
            loc.case = Some(name.to_string());
        }
        Self::new(value, loc, schema)
    }

    pub fn loc(&self, key: &str) -> Loc {
        self.loc.key(key)
    }

    /// The field `key`, which must be present; marks it read.
    pub fn get(&self, key: &str) -> Checked<&'a Value> {
        self.read.borrow_mut().insert(key.to_string());
        self.map
            .get(key)
            .ok_or_else(|| self.loc(key).error("missing field"))
    }

    /// The field `key` with where it is, to hand to the free functions below.
    pub fn entry(&self, key: &str) -> Checked<(Loc, &'a Value)> {
        Ok((self.loc(key), self.get(key)?))
    }

    pub fn number(&self, key: &str) -> Checked<f64> {
        number(&self.loc(key), self.get(key)?)
    }

    pub fn integer(&self, key: &str) -> Checked<usize> {
        integer(&self.loc(key), self.get(key)?)
    }

    pub fn text(&self, key: &str) -> Checked<&'a str> {
        text(&self.loc(key), self.get(key)?)
    }

    pub fn flag(&self, key: &str) -> Checked<bool> {
        let v = self.get(key)?;
        v.as_bool().ok_or_else(|| {
            self.loc(key)
                .error(format!("expected true or false, got {}", describe(v)))
        })
    }

    /// A list of cases: it may not be empty.
    pub fn cases(&self, key: &str) -> Checked<Vec<(Loc, &'a Value)>> {
        let items = list(&self.loc(key), self.get(key)?)?;
        if items.is_empty() {
            return Err(self
                .loc(key)
                .error("an empty list of cases: a reference file must hold at least one"));
        }
        Ok(items)
    }

    /// A list of exactly `len` entries.
    pub fn list_of(&self, key: &str, len: usize) -> Checked<Vec<(Loc, &'a Value)>> {
        list_of(&self.loc(key), self.get(key)?, len)
    }

    /// The object `key`, under its own schema.
    pub fn object(&self, key: &str, schema: &'static Schema) -> Checked<Fields<'a>> {
        Fields::new(self.get(key)?, self.loc(key), schema)
    }

    /// A number, list or nested list of numbers of the given shape, flattened row-major.
    pub fn array(&self, key: &str, shape: &[usize]) -> Checked<Vec<f64>> {
        array(&self.loc(key), self.get(key)?, shape)
    }

    /// Compares the engine's `actual` (row-major, of `shape`) with the field `key`.
    pub fn compare(&self, key: &str, actual: &[f64], shape: &[usize], tol: Tol) -> Checked {
        compare(&self.loc(key), actual, shape, self.get(key)?, tol)
    }

    /// Fails if a field listed as an input or compared is present but was never read.
    pub fn finish(self) -> Checked {
        let read = self.read.borrow();
        match self
            .map
            .keys()
            .find(|key| self.schema.must_be_read(key) && !read.contains(*key))
        {
            Some(key) => Err(self
                .loc(key)
                .error("listed as an input or compared, but the checker never read it")),
            None => Ok(()),
        }
    }
}

fn describe(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

pub fn number(loc: &Loc, v: &Value) -> Checked<f64> {
    v.as_f64()
        .ok_or_else(|| loc.error(format!("expected a number, got {}", describe(v))))
}

/// A whole number: a count, a size or a class.
pub fn integer(loc: &Loc, v: &Value) -> Checked<usize> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| loc.error(format!("expected a whole number, got {}", describe(v))))
}

pub fn text<'a>(loc: &Loc, v: &'a Value) -> Checked<&'a str> {
    v.as_str()
        .ok_or_else(|| loc.error(format!("expected a string, got {}", describe(v))))
}

/// A list, each entry with where it is.
pub fn list<'a>(loc: &Loc, v: &'a Value) -> Checked<Vec<(Loc, &'a Value)>> {
    let items = v
        .as_array()
        .ok_or_else(|| loc.error(format!("expected a list, got {}", describe(v))))?;
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| (loc.index(i), item))
        .collect())
}

/// A list of exactly `len` entries.
pub fn list_of<'a>(loc: &Loc, v: &'a Value, len: usize) -> Checked<Vec<(Loc, &'a Value)>> {
    let items = list(loc, v)?;
    if items.len() != len {
        return Err(loc.error(format!("length {}, expected {len}", items.len())));
    }
    Ok(items)
}

/// A number (`shape = []`) or nested lists of numbers of exactly `shape`,
/// flattened row-major. Each level's length is checked before its values are read.
pub fn array(loc: &Loc, v: &Value, shape: &[usize]) -> Checked<Vec<f64>> {
    fn flatten(loc: &Loc, v: &Value, shape: &[usize], out: &mut Vec<f64>) -> Checked {
        match shape.split_first() {
            None => {
                out.push(number(loc, v)?);
                Ok(())
            }
            Some((&len, rest)) => {
                for (loc, item) in list_of(loc, v, len)? {
                    flatten(&loc, item, rest, out)?;
                }
                Ok(())
            }
        }
    }
    let mut out = Vec::with_capacity(shape.iter().product());
    flatten(loc, v, shape, &mut out)?;
    Ok(out)
}

/// A non-empty matrix whose size the file gives, every row as long as the first.
pub fn matrix(loc: &Loc, v: &Value) -> Checked<(Vec<f64>, usize, usize)> {
    let rows = list(loc, v)?;
    let Some((first_loc, first)) = rows.first() else {
        return Err(loc.error("an empty matrix"));
    };
    let cols = list(first_loc, first)?.len();
    Ok((array(loc, v, &[rows.len(), cols])?, rows.len(), cols))
}

/// Compares the engine's `actual` (row-major, of `shape`) with the file's
/// nested lists `expected`, whose shape must be exactly `shape`.
pub fn compare(loc: &Loc, actual: &[f64], shape: &[usize], expected: &Value, tol: Tol) -> Checked {
    let expected = array(loc, expected, shape)?;
    compare_values(loc, actual, shape, &expected, tol)
}

/// Compares `actual` with `expected`, both row-major of `shape`; a mismatch
/// names its index.
pub fn compare_values(loc: &Loc, actual: &[f64], shape: &[usize], expected: &[f64], tol: Tol) -> Checked {
    let size: usize = shape.iter().product();
    if actual.len() != size || expected.len() != size {
        return Err(loc.error(format!(
            "the engine gave {} values and the file {} for shape {shape:?}",
            actual.len(),
            expected.len()
        )));
    }
    // Lengths are equal: every pair is compared.
    for (i, (&a, &b)) in actual.iter().zip(expected).enumerate() {
        let allowed = tol.abs + tol.rel * b.abs();
        let within = (a - b).abs() <= allowed; // false for NaN
        if !within {
            let mut at = loc.clone();
            let mut rest = i;
            let mut stride = size;
            for &n in shape {
                stride /= n;
                at = at.index(rest / stride);
                rest %= stride;
            }
            return Err(at.error(format!(
                "got {a:e}, expected {b:e} (difference {:e}, allowed {allowed:e})",
                (a - b).abs()
            )));
        }
    }
    Ok(())
}

/// The number after `name=` in `text` (`gamma=0.5` in `StepLR(opt, step_size=10, gamma=0.5)`),
/// where `name` is a whole word.
pub fn keyword(loc: &Loc, text: &str, name: &str) -> Checked<f64> {
    let pattern = format!("{name}=");
    let start = text
        .match_indices(&pattern)
        .map(|(at, _)| at)
        .find(|&at| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .ok_or_else(|| loc.error(format!("names no {name}= in {text:?}")))?
        + pattern.len();
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(rest.len());
    rest[..end]
        .parse()
        .map_err(|e| loc.error(format!("{name}={:?} in {text:?}: {e}", &rest[..end])))
}

/// The same, for a whole number (an epoch count, a step size).
pub fn keyword_int(loc: &Loc, text: &str, name: &str) -> Checked<u32> {
    let v = keyword(loc, text, name)?;
    if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        Ok(v as u32)
    } else {
        Err(loc.error(format!("{name}={v} is not a whole number")))
    }
}

/// The text between the parentheses of the call `function(…)` in `text`.
pub fn call_arguments<'t>(loc: &Loc, text: &'t str, function: &str) -> Checked<&'t str> {
    let open = format!("{function}(");
    let start = text
        .find(&open)
        .ok_or_else(|| loc.error(format!("names no call {function}(…)")))?
        + open.len();
    let end = text[start..]
        .find(')')
        .ok_or_else(|| loc.error(format!("the call {function}( is not closed")))?;
    Ok(&text[start..start + end])
}
