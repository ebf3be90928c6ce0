//! The one error type of the engine: every message names the field and the value.

use thiserror::Error;

/// An invalid setting, reported with the field's path and the offending value.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// A number outside its allowed range, e.g. `dataset.noise must be finite and >= 0, got -1`.
    #[error("{field} must be {expected}, got {got}")]
    OutOfRange {
        field: String,
        expected: String,
        got: String,
    },
    /// A name that is not one of the known choices.
    #[error("{field}: unknown value {got:?}, expected one of {expected}")]
    UnknownName {
        field: String,
        got: String,
        expected: &'static str,
    },
    /// Anything else that is wrong with the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl ConfigError {
    pub fn out_of_range(field: impl Into<String>, expected: impl Into<String>, got: impl ToString) -> Self {
        Self::OutOfRange {
            field: field.into(),
            expected: expected.into(),
            got: got.to_string(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error located inside `outer` (e.g. `model.config`).
    pub fn within(self, outer: &str) -> Self {
        let join = |f: String| {
            if f.is_empty() {
                outer.to_string()
            } else {
                format!("{outer}.{f}")
            }
        };
        match self {
            Self::OutOfRange { field, expected, got } => Self::OutOfRange {
                field: join(field),
                expected,
                got,
            },
            Self::UnknownName { field, got, expected } => Self::UnknownName {
                field: join(field),
                got,
                expected,
            },
            Self::Invalid { field, message } => Self::Invalid {
                field: join(field),
                message,
            },
        }
    }

    /// The dotted path of the offending field, e.g. `optimizer.lr`.
    pub fn field(&self) -> &str {
        match self {
            Self::OutOfRange { field, .. }
            | Self::UnknownName { field, .. }
            | Self::Invalid { field, .. } => field,
        }
    }
}

pub type Result<T, E = ConfigError> = std::result::Result<T, E>;
