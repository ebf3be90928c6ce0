//! The allowed values of a number: each end inclusive or exclusive, or open
//! (any finite value). Each setting's range is written once, as a constant
//! beside the code that uses the setting; the config's validation, the
//! page's settings table and the error messages all read it from there.

use std::fmt;

use serde::Serialize;

use crate::error::{ConfigError, Result};

/// One end of a range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    pub value: f64,
    pub inclusive: bool,
}

/// The finite numbers between `min` and `max`; a missing end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
}

const fn end(value: f64, inclusive: bool) -> Option<Bound> {
    Some(Bound { value, inclusive })
}

impl Range {
    /// `[min, max]`.
    pub const fn closed(min: f64, max: f64) -> Self {
        Self {
            min: end(min, true),
            max: end(max, true),
        }
    }

    /// `(min, max)`.
    pub const fn open(min: f64, max: f64) -> Self {
        Self {
            min: end(min, false),
            max: end(max, false),
        }
    }

    /// `(min, max]`.
    pub const fn above_to(min: f64, max: f64) -> Self {
        Self {
            min: end(min, false),
            max: end(max, true),
        }
    }

    /// `[min, max)`.
    pub const fn from_below(min: f64, max: f64) -> Self {
        Self {
            min: end(min, true),
            max: end(max, false),
        }
    }

    /// Finite and `> min`.
    pub const fn above(min: f64) -> Self {
        Self {
            min: end(min, false),
            max: None,
        }
    }

    /// Finite and `>= min`.
    pub const fn at_least(min: f64) -> Self {
        Self {
            min: end(min, true),
            max: None,
        }
    }

    /// Whether `v` is finite and within both ends (NaN never is).
    pub fn contains(&self, v: f64) -> bool {
        let above = |b: Bound| if b.inclusive { v >= b.value } else { v > b.value };
        let below = |b: Bound| if b.inclusive { v <= b.value } else { v < b.value };
        v.is_finite() && self.min.is_none_or(above) && self.max.is_none_or(below)
    }

    /// `check` for a whole number, reported exactly as given.
    pub fn check_whole(&self, field: &str, n: u64) -> Result<()> {
        if self.contains(n as f64) {
            Ok(())
        } else {
            Err(ConfigError::out_of_range(field, self.to_string(), n))
        }
    }

    /// `Ok` when `v` is in range, else an error naming `field` and `v`.
    pub fn check(&self, field: &str, v: f64) -> Result<()> {
        if self.contains(v) {
            Ok(())
        } else {
            Err(ConfigError::out_of_range(field, self.to_string(), v))
        }
    }
}

/// How an error message writes the range: `in [0, 10]`, `finite and > 0`.
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => write!(
                f,
                "in {}{}, {}{}",
                if lo.inclusive { '[' } else { '(' },
                number_text(lo.value),
                number_text(hi.value),
                if hi.inclusive { ']' } else { ')' },
            ),
            (Some(lo), None) => write!(
                f,
                "finite and {} {}",
                if lo.inclusive { ">=" } else { ">" },
                number_text(lo.value)
            ),
            (None, Some(hi)) => write!(
                f,
                "finite and {} {}",
                if hi.inclusive { "<=" } else { "<" },
                number_text(hi.value)
            ),
            (None, None) => write!(f, "finite"),
        }
    }
}

/// A number as JavaScript's `String(x)` writes it (the form links carry):
/// shortest round-trip digits, with an exponent below 1e-6 and from 1e21.
pub fn number_text(x: f64) -> String {
    let size = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-6..1e21).contains(&size) {
        // Rust writes 0.0 as "0", -0.0 as "-0"; JavaScript writes both as "0".
        return if x == 0.0 { "0".into() } else { format!("{x}") };
    }
    let text = format!("{x:e}");
    match text.split_once('e') {
        Some((digits, exp)) if !exp.starts_with('-') => format!("{digits}e+{exp}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_inclusive_or_exclusive_and_nan_is_never_in() {
        let r = Range::above_to(0.0, 1.0);
        assert!(!r.contains(0.0) && r.contains(f64::MIN_POSITIVE) && r.contains(1.0));
        assert!(!r.contains(1.0 + f64::EPSILON) && !r.contains(f64::NAN));
        let open = Range::above(0.0);
        assert!(open.contains(1e300) && !open.contains(f64::INFINITY) && !open.contains(0.0));
        assert!(Range::closed(0.0, 10.0).contains(0.0) && Range::closed(0.0, 10.0).contains(10.0));
        assert!(!Range::from_below(0.0, 1.0).contains(1.0));
    }

    #[test]
    fn ranges_read_as_in_an_error_message() {
        assert_eq!(Range::closed(0.0, 10.0).to_string(), "in [0, 10]");
        assert_eq!(Range::open(0.0, 1.0).to_string(), "in (0, 1)");
        assert_eq!(Range::above_to(0.0, 1e6).to_string(), "in (0, 1000000]");
        assert_eq!(Range::above(0.0).to_string(), "finite and > 0");
        assert_eq!(Range::at_least(0.0).to_string(), "finite and >= 0");
        let e = Range::closed(0.0, 10.0)
            .check("dataset.noise", -1.0)
            .expect_err("outside");
        assert_eq!(e.to_string(), "dataset.noise must be in [0, 10], got -1");
    }

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        for (x, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-9, "1.5e-9"),
            (1e6, "1000000"),
            (123456789.0, "123456789"),
            (1e21, "1e+21"),
            (-2.5e22, "-2.5e+22"),
            (9007199254740991.0, "9007199254740991"),
        ] {
            assert_eq!(number_text(x), text, "{x:e}");
        }
    }
}
