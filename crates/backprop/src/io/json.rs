//! Reading configs and model files: serde_json's parser builds a small tree
//! (`Json`), and the decoding turns its values into settings. Every error
//! names the field's path (`optimizer.lr`, `network.hidden[2]`) and the
//! value, unknown and repeated fields are errors, and missing fields take
//! their defaults. The decoding is written here rather than derived: a
//! derived decoder that names the field's path (`serde_path_to_error`) added
//! three times as many bytes to the page's WebAssembly as this tree does.

use crate::error::{ConfigError, Result};

/// A parsed JSON value. Numbers keep whether they were written as integers,
/// so a `u64` field reads them exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// An integer literal that fits an `i64`.
    Int(i64),
    /// An integer literal above `i64::MAX` that fits a `u64`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    Str(String),
    Arr(Vec<Json>),
    /// Fields in the order written.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// How the value is described in an error: its type and, when short, the value.
    fn describe(&self) -> String {
        match self {
            Self::Null => "null".into(),
            Self::Bool(b) => format!("boolean `{b}`"),
            Self::Int(i) => format!("integer `{i}`"),
            Self::UInt(u) => format!("integer `{u}`"),
            Self::Float(f) => format!("number `{f:?}`"),
            Self::Str(s) if s.chars().count() <= 40 => format!("string {s:?}"),
            Self::Str(_) => "a string".into(),
            Self::Arr(_) => "an array".into(),
            Self::Obj(_) => "an object".into(),
        }
    }
}

/// Parses `text` as one JSON value with serde_json's parser (strict RFC 8259,
/// at most 128 levels deep, so no input can exhaust the stack); errors give
/// the line and column.
pub fn parse(text: &str) -> std::result::Result<Json, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// serde_json's parser builds our tree through this visitor: fields stay in
/// the order written (so `Fields` can report a repeated one at its path) and
/// integers stay exact (a `u64` seed keeps every bit).
impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> std::result::Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> std::result::Result<Json, E> {
        Ok(Json::Int(i))
    }

    /// serde_json gives every non-negative integer as a `u64`; those that fit
    /// an `i64` are stored as one, like negative integers.
    fn visit_u64<E>(self, u: u64) -> std::result::Result<Json, E> {
        Ok(i64::try_from(u).map_or(Json::UInt(u), Json::Int))
    }

    fn visit_f64<E>(self, f: f64) -> std::result::Result<Json, E> {
        Ok(Json::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> std::result::Result<Json, E> {
        Ok(Json::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> std::result::Result<Json, E> {
        Ok(Json::Str(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }

    /// Every field is kept, repeats included: rejecting them is `Fields`'
    /// job, which knows the path to name.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some(field) = map.next_entry()? {
            fields.push(field);
        }
        Ok(Json::Obj(fields))
    }
}

/// Parses `text`, at most `max_bytes` long, as one JSON value; errors about
/// the text itself are reported at `root`.
pub fn parse_bounded(text: &str, root: &str, max_bytes: usize) -> Result<Json> {
    if text.len() > max_bytes {
        return Err(ConfigError::invalid(
            root,
            format!(
                "at most {max_bytes} bytes of JSON are accepted, got {}",
                text.len()
            ),
        ));
    }
    parse(text).map_err(|e| ConfigError::invalid(root, e))
}

/// `parse_bounded` for a document that must be an object (anything else is
/// reported at `root`, not as a type error without a path).
pub fn parse_document(text: &str, root: &str, max_bytes: usize) -> Result<Json> {
    if text.len() <= max_bytes && !text.trim_start().starts_with('{') {
        return Err(ConfigError::invalid(
            root,
            "expected a JSON object such as {\"seed\": 1}",
        ));
    }
    parse_bounded(text, root, max_bytes)
}

/// `path.key`, or `key` at the top; a key that is not a plain name (empty,
/// or with dots, spaces, quotes…) is quoted: `path["a.b"]`.
pub fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

fn wrong_type(v: &Json, path: &str, expected: &str) -> ConfigError {
    ConfigError::invalid(
        path,
        format!("invalid type: {}, expected {expected}", v.describe()),
    )
}

/// A value that can be read from JSON at a path.
pub trait Decode: Sized {
    fn decode(v: &Json, path: &str) -> Result<Self>;
}

impl Decode for f64 {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        match *v {
            Json::Int(i) => Ok(i as f64),
            Json::UInt(u) => Ok(u as f64),
            Json::Float(f) => Ok(f),
            _ => Err(wrong_type(v, path, "a number")),
        }
    }
}

impl Decode for bool {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        match *v {
            Json::Bool(b) => Ok(b),
            _ => Err(wrong_type(v, path, "true or false")),
        }
    }
}

impl Decode for String {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        match v {
            Json::Str(s) => Ok(s.clone()),
            _ => Err(wrong_type(v, path, "a string")),
        }
    }
}

/// A whole number in `[0, max]`.
fn whole(v: &Json, path: &str, max: u64) -> Result<u64> {
    let n = match *v {
        Json::Int(i) => u64::try_from(i).ok(),
        Json::UInt(u) => Some(u),
        Json::Float(_) => None,
        _ => return Err(wrong_type(v, path, "a whole number")),
    };
    n.filter(|&n| n <= max).ok_or_else(|| {
        ConfigError::invalid(
            path,
            format!(
                "invalid value: {}, expected a whole number from 0 to {max}",
                v.describe()
            ),
        )
    })
}

macro_rules! decode_unsigned {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(v: &Json, path: &str) -> Result<Self> {
                // In range by the check against MAX.
                whole(v, path, <$t>::MAX as u64).map(|n| n as $t)
            }
        }
    )*};
}
decode_unsigned!(u8, u32, u64, usize);

impl<T: Decode> Decode for Vec<T> {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        match v {
            Json::Arr(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| T::decode(item, &format!("{path}[{i}]")))
                .collect(),
            _ => Err(wrong_type(v, path, "an array")),
        }
    }
}

/// `null` is `None`.
impl<T: Decode> Decode for Option<T> {
    fn decode(v: &Json, path: &str) -> Result<Self> {
        match v {
            Json::Null => Ok(None),
            _ => T::decode(v, path).map(Some),
        }
    }
}

/// One of a set of names (`"adam"`, `"relu"`), as the value they stand for.
pub fn name<T: Copy>(v: &Json, path: &str, names: &[(&str, T)], expected: &'static str) -> Result<T> {
    let Json::Str(s) = v else {
        return Err(wrong_type(v, path, "a name"));
    };
    names
        .iter()
        .find(|(n, _)| n == s)
        .map(|&(_, t)| t)
        .ok_or_else(|| ConfigError::UnknownName {
            field: path.to_string(),
            got: s.clone(),
            expected,
        })
}

/// The fields of an object, checked against the names it may have.
#[derive(Debug)]
pub struct Fields<'a> {
    path: &'a str,
    fields: &'a [(String, Json)],
}

impl<'a> Fields<'a> {
    /// `v` must be an object whose every field is in `known`, none twice.
    pub fn of(v: &'a Json, path: &'a str, known: &[&str]) -> Result<Self> {
        let Json::Obj(fields) = v else {
            return Err(wrong_type(v, path, "an object"));
        };
        for (i, (key, _)) in fields.iter().enumerate() {
            if !known.contains(&key.as_str()) {
                let list = known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(ConfigError::invalid(
                    join(path, key),
                    format!("unknown field `{key}`, expected one of {list}"),
                ));
            }
            if fields[..i].iter().any(|(k, _)| k == key) {
                return Err(ConfigError::invalid(
                    join(path, key),
                    format!("duplicate field `{key}`"),
                ));
            }
        }
        Ok(Self { path, fields })
    }

    /// `v` must be an object; its fields are not checked (read a tag with it).
    pub fn any(v: &'a Json, path: &'a str) -> Result<Self> {
        match v {
            Json::Obj(fields) => Ok(Self { path, fields }),
            _ => Err(wrong_type(v, path, "an object")),
        }
    }

    /// The raw value of `key`, if present.
    pub fn raw(&self, key: &str) -> Option<&'a Json> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `key` read with `f`, or `None` when absent.
    pub fn get_with<T>(&self, key: &str, f: impl FnOnce(&Json, &str) -> Result<T>) -> Result<Option<T>> {
        self.raw(key).map(|v| f(v, &join(self.path, key))).transpose()
    }

    /// `key`, or `default` when absent.
    pub fn or<T: Decode>(&self, key: &str, default: T) -> Result<T> {
        Ok(self.get_with(key, T::decode)?.unwrap_or(default))
    }

    /// `key`, which must be present.
    pub fn req<T: Decode>(&self, key: &str) -> Result<T> {
        self.get_with(key, T::decode)?.ok_or_else(|| self.missing(key))
    }

    /// `key` as one of `names`, which must be present.
    pub fn req_name<T: Copy>(&self, key: &str, names: &[(&str, T)], expected: &'static str) -> Result<T> {
        self.get_with(key, |v, p| name(v, p, names, expected))?
            .ok_or_else(|| self.missing(key))
    }

    fn missing(&self, key: &str) -> ConfigError {
        ConfigError::invalid(self.path, format!("missing field `{key}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitor_builds_every_form_of_json_into_the_tree() {
        let v = parse(
            r#" {"a": [1, -2, 3.5, 1e2, -0.0, 18446744073709551615], "b": {"c": null, "d": true, "e": false},
            "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00x"} "#,
        )
        .expect("valid");
        let Json::Obj(f) = &v else { panic!("object") };
        let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "s"]);
        assert_eq!(
            f[0].1,
            Json::Arr(vec![
                Json::Int(1),
                Json::Int(-2),
                Json::Float(3.5),
                Json::Float(100.0),
                Json::Float(-0.0),
                Json::UInt(u64::MAX)
            ])
        );
        assert_eq!(
            f[1].1,
            Json::Obj(vec![
                ("c".into(), Json::Null),
                ("d".into(), Json::Bool(true)),
                ("e".into(), Json::Bool(false)),
            ])
        );
        assert_eq!(f[2].1, Json::Str("q\"\\/\u{8}\u{c}\n\r\té😀x".into()));
    }

    #[test]
    fn integers_stay_exact_up_to_u64_max_and_larger_ones_become_floats() {
        assert_eq!(parse("9223372036854775807"), Ok(Json::Int(i64::MAX)));
        assert_eq!(parse("9223372036854775808"), Ok(Json::UInt(1 << 63)));
        assert_eq!(parse("-9223372036854775808"), Ok(Json::Int(i64::MIN)));
        assert_eq!(
            parse("18446744073709551616"),
            Ok(Json::Float(18_446_744_073_709_551_616.0))
        );
        assert_eq!(
            parse("-9223372036854775809"),
            Ok(Json::Float(-9_223_372_036_854_775_809.0))
        );
        // Exported floats read back exactly (serde_json's `float_roundtrip`).
        for x in [
            0.1,
            1.0 / 3.0,
            2.2250738585072014e-308,
            1.7976931348623157e308,
            5e-324,
        ] {
            let text = serde_json::to_string(&x).expect("float");
            assert_eq!(parse(&text), Ok(Json::Float(x)), "{text}");
        }
    }

    #[test]
    fn repeated_fields_are_kept_in_the_order_written() {
        // The visitor keeps both, so `Fields` can name the repeat (see below).
        assert_eq!(
            parse(r#"{"a": 1, "b": 2, "a": 3}"#),
            Ok(Json::Obj(vec![
                ("a".into(), Json::Int(1)),
                ("b".into(), Json::Int(2)),
                ("a".into(), Json::Int(3)),
            ]))
        );
    }

    #[test]
    fn what_is_not_json_is_rejected_with_a_line_and_column() {
        for (text, what) in [
            ("{\"a\":1", "EOF"),
            ("{\"a\":1,}", "trailing comma"),
            ("[1,]", "trailing comma"),
            ("{\"a\" 1}", "`:`"),
            ("01", "invalid number"),
            ("1.", "EOF"),
            ("1.x", "invalid number"),
            ("-", "EOF"),
            ("-a", "invalid number"),
            ("[1e]", "invalid number"),
            ("1e999", "out of range"),
            ("\"\\x\"", "escape"),
            ("\"\\ud800\"", "escape"),
            ("\"a\nb\"", "control character"),
            ("nul", "EOF"),
            ("{} x", "trailing characters"),
            ("[1] [2]", "trailing characters"),
            ("'a'", "expected value"),
            ("", "EOF"),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.contains(what) && e.contains("column"), "{text}: {e}");
        }
        assert!(
            parse("{\n\"a\":\n?}")
                .expect_err("bad")
                .contains("line 3 column 1")
        );
    }

    #[test]
    fn nesting_stops_at_serde_jsons_recursion_limit() {
        let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
        assert!(parse(&nested(127)).is_ok());
        let e = parse(&nested(128)).expect_err("too deep");
        assert!(e.contains("recursion limit"), "{e}");
    }

    #[test]
    fn decoding_names_the_path_and_the_value() {
        let v = parse(r#"{"n": -5, "x": "lots", "list": [1, 2.5], "big": 300, "k": "adamx", "extra": 1}"#)
            .expect("valid");
        let f = Fields::of(&v, "cfg", &["n", "x", "list", "big", "k", "extra"]).expect("known");
        let e = f.req::<u64>("n").expect_err("negative").to_string();
        assert!(e.starts_with("cfg.n: ") && e.contains("-5"), "{e}");
        let e = f.req::<f64>("x").expect_err("string").to_string();
        assert!(e.contains("cfg.x") && e.contains("\"lots\""), "{e}");
        let e = f.req::<Vec<usize>>("list").expect_err("float").to_string();
        assert!(e.starts_with("cfg.list[1]: ") && e.contains("2.5"), "{e}");
        let e = u32::decode(&Json::Float(1.0), "n")
            .expect_err("a float")
            .to_string();
        assert!(e.contains("`1.0`"), "{e}");
        let e = f.req::<u8>("big").expect_err("too big").to_string();
        assert!(e.contains("300") && e.contains("255"), "{e}");
        let e = f
            .req_name("k", &[("sgd", 0), ("adam", 1)], "sgd, adam")
            .expect_err("unknown")
            .to_string();
        assert!(
            e.contains("cfg.k") && e.contains("adamx") && e.contains("sgd, adam"),
            "{e}"
        );
        assert_eq!(f.or::<f64>("absent", 0.5), Ok(0.5));
        let e = f.req::<f64>("absent").expect_err("missing").to_string();
        assert!(e.contains("missing field `absent`"), "{e}");
        let e = Fields::of(&v, "cfg", &["n"]).expect_err("unknown").to_string();
        assert!(e.starts_with("cfg.x: unknown field `x`"), "{e}");
        let dup = parse(r#"{"a": 1, "a": 2}"#).expect("valid");
        let e = Fields::of(&dup, "", &["a"]).expect_err("duplicate").to_string();
        assert!(e.starts_with("a: duplicate field"), "{e}");
        assert_eq!(Option::<f64>::decode(&Json::Null, "p"), Ok(None));
        assert_eq!(join("", ""), "[\"\"]");
        assert_eq!(join("a", "b.c"), "a[\"b.c\"]");
        assert_eq!(join("a", "lr"), "a.lr");
        assert!(f64::decode(&Json::Null, "p").is_err());
    }
}
