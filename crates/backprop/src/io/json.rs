//! Reading configs and model files: a strict JSON parser (RFC 8259) and the
//! decoding that turns its values into settings. Every error names the
//! field's path (`optimizer.lr`, `network.hidden[2]`) and the value, unknown
//! and repeated fields are errors, and missing fields take their defaults.
//! Written by hand rather than derived: decoding is a small part of the
//! engine, and a derived decoder with field paths was two fifths of the
//! page's WebAssembly. (Writing JSON stays with serde.)

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

/// Deepest nesting accepted (serde_json's limit too): far beyond any real
/// file, and no input can exhaust the stack.
const MAX_DEPTH: usize = 128;

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

/// Parses `text` as one JSON value; errors give the line and column.
pub fn parse(text: &str) -> std::result::Result<Json, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        if self.i >= self.s.len() {
            format!("unexpected end of input (EOF) at line {line}, column {col}")
        } else {
            format!("{what} at line {line}, column {col}")
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, b: u8, what: &str) -> std::result::Result<(), String> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> std::result::Result<Json, String> {
        let end = self.i + word.len();
        if self.s.get(self.i..end) == Some(word.as_bytes()) {
            self.i = end;
            Ok(v)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> std::result::Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a field name in quotes"));
                    }
                    let key = self.string()?;
                    self.ws();
                    self.expect(b':', "expected `:`")?;
                    self.ws();
                    fields.push((key, self.value(depth + 1)?));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(fields));
                        }
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> std::result::Result<Json, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n > 1 && self.s[int_start] == b'0' {
            self.i = start;
            return Err(self.error("invalid number (leading zero)"));
        }
        if n == 0 {
            return Err(self.error("invalid number"));
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // Only ASCII digits, signs, '.', 'e' were consumed.
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.error("invalid number"))?;
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Json::Int(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Json::UInt(u));
            }
        }
        // Rust's parser rounds correctly, so exported floats read back exactly.
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Json::Float(f)),
            _ => {
                self.i = start;
                Err(self.error("number out of range"))
            }
        }
    }

    fn hex4(&mut self) -> std::result::Result<u32, String> {
        let digits = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.error("invalid escape"))?;
        let mut v = 0;
        for &d in digits {
            let x = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid escape"))?;
            v = v * 16 + x;
        }
        self.i += 4;
        Ok(v)
    }

    /// A string literal, the opening quote at `self.i`.
    fn string(&mut self) -> std::result::Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str and we stopped at ASCII bytes: a char boundary.
            out.push_str(
                std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.error("invalid UTF-8"))?,
            );
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.error("invalid escape"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                // A surrogate pair: the low half must follow.
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.error("unpaired surrogate"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.error("unpaired surrogate"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.error("unpaired surrogate"))?);
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
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
    fn parses_every_form_of_json() {
        let v = parse(
            r#" {"a": [1, -2, 3.5, 1e2, -0.0, 18446744073709551615], "b": {"c": null, "d": true, "e": false},
            "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00x"} "#,
        )
        .expect("valid");
        let Json::Obj(f) = &v else { panic!("object") };
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
        assert_eq!(f[2].1, Json::Str("q\"\\/\u{8}\u{c}\n\r\té😀x".into()));
        // Exported floats read back exactly.
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
    fn rejects_what_is_not_json_with_a_position() {
        for (text, what) in [
            ("{\"a\":1", "EOF"),
            ("{\"a\":1,}", "field name"),
            ("[1,]", "expected a value"),
            ("{\"a\" 1}", "`:`"),
            ("01", "invalid number"),
            ("1.", "EOF"),
            ("1.x", "invalid number"),
            ("-", "EOF"),
            ("-a", "invalid number"),
            ("[1e]", "invalid number"),
            ("1e999", "out of range"),
            ("\"\\x\"", "escape"),
            ("\"\\ud800\"", "surrogate"),
            ("\"a\nb\"", "control character"),
            ("nul", "expected a value"),
            ("{} x", "trailing"),
            ("[1] [2]", "trailing"),
            ("'a'", "expected a value"),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.contains(what) && e.contains("column"), "{text}: {e}");
        }
        assert!(
            parse("{\n\"a\":\n?}")
                .expect_err("bad")
                .contains("line 3, column 1")
        );
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).expect_err("deep").contains("nested too deeply"));
        assert!(parse(&("[".repeat(100) + &"]".repeat(100))).is_ok());
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
