//! A small JSON reader for what the web app decodes: server frames, HTTP
//! bodies and its own saved outbox. It reads exactly what serde_json reads for
//! these types (the tests compare the two), with a fraction of the code: the
//! derived `Deserialize` impls of internally tagged enums buffer every frame
//! through serde's `Content` and instantiate each variant's visitors for it,
//! which made decoding the largest part of the app's wasm after the UI itself.
//! Measured: with serde_json decoding frames and HTTP bodies the web bundle
//! was 242.5 KiB brotli, with this reader 203.1 KiB (`cargo xtask build`,
//! December 2026).
//!
//! The server keeps serde for everything; the app keeps serde only to write.

use std::borrow::Cow;

/// Why a value could not be read, in a sentence.
pub type Error = String;

/// Nesting deeper than this is refused, as serde_json does (its limit is 128):
/// the reader recurses, and a 64 KiB frame of `[` must not exhaust the stack.
const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Numbers keep their text, so that a `u64` is read
/// exactly and a float only where a float is wanted.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object, its members in order; duplicates are kept, and refused when
/// the member is read, as serde does.
#[derive(Debug, Clone, PartialEq)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

/// Reads a value of type `T` from JSON text.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, Error> {
    T::from_json(parse(text)?)
}

/// Parses JSON text: one value, with nothing but whitespace around it.
pub fn parse(text: &str) -> Result<Json<'_>, Error> {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at != text.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

/// A type the reader can build from a parsed value.
pub trait FromJson: Sized {
    fn from_json(value: Json<'_>) -> Result<Self, Error>;
}

impl<'a> Json<'a> {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    fn invalid(&self, expected: &str) -> Error {
        format!("invalid type: {}, expected {expected}", self.kind())
    }

    /// The object, or an error naming `what` was expected.
    pub fn into_object(self, what: &str) -> Result<Object<'a>, Error> {
        match self {
            Json::Object(object) => Ok(object),
            other => Err(other.invalid(what)),
        }
    }

    pub fn into_string(self) -> Result<String, Error> {
        match self {
            Json::String(text) => Ok(text.into_owned()),
            other => Err(other.invalid("a string")),
        }
    }

    /// A non-negative integer written without fraction or exponent, as serde
    /// reads one into an unsigned integer.
    pub fn as_u64(&self) -> Result<u64, Error> {
        match self {
            Json::Number(text) => {
                text.parse().map_err(|_| format!("invalid number {text}, expected an unsigned integer"))
            }
            other => Err(other.invalid("an unsigned integer")),
        }
    }

    pub fn as_f64(&self) -> Result<f64, Error> {
        match self {
            Json::Number(text) => Some(parse_f64(text)).filter(|n| n.is_finite()).ok_or_else(|| out_of_range(text)),
            other => Err(other.invalid("a number")),
        }
    }
}

impl<'a> Object<'a> {
    /// Takes member `name` out of the object, if present (`null` counts as present).
    pub fn take(&mut self, name: &str) -> Result<Option<Json<'a>>, Error> {
        let mut found = None;
        let mut index = 0;
        while index < self.members.len() {
            if self.members[index].0 == name {
                if found.is_some() {
                    return Err(format!("duplicate field `{name}`"));
                }
                found = Some(self.members.remove(index).1);
            } else {
                index += 1;
            }
        }
        Ok(found)
    }

    /// Member `name` if it is a string (and the only member so named), left in place.
    pub fn string(&self, name: &str) -> Option<&str> {
        let mut named = self.members.iter().filter(|(member, _)| member == name);
        match (named.next(), named.next()) {
            (Some((_, Json::String(text))), None) => Some(text),
            _ => None,
        }
    }

    /// Member `name`, which must be there.
    pub fn field<T: FromJson>(&mut self, name: &str) -> Result<T, Error> {
        T::from_json(self.required(name)?)
    }

    fn required(&mut self, name: &str) -> Result<Json<'a>, Error> {
        self.take(name)?.ok_or_else(|| format!("missing field `{name}`"))
    }

    /// Member `name`, absent or `null` being `None` (`#[serde(default)]` on an `Option`).
    pub fn optional<T: FromJson>(&mut self, name: &str) -> Result<Option<T>, Error> {
        match self.take(name)? {
            None | Some(Json::Null) => Ok(None),
            Some(value) => T::from_json(value).map(Some),
        }
    }

    /// Member `name`, absent being the default (`#[serde(default)]` on a
    /// type that is not an `Option`: `null` is an error, as in serde).
    pub fn defaulted<T: FromJson + Default>(&mut self, name: &str) -> Result<T, Error> {
        match self.take(name)? {
            Some(value) => T::from_json(value),
            None => Ok(T::default()),
        }
    }

    /// The internally tagged enum's tag, taken out of the object.
    pub fn tag(&mut self, name: &str) -> Result<String, Error> {
        self.field(name)
    }

    /// `#[serde(deny_unknown_fields)]`: nothing may be left once the known
    /// members are taken.
    pub fn deny_unknown(self) -> Result<(), Error> {
        match self.members.first() {
            Some((name, _)) => Err(format!("unknown field `{name}`")),
            None => Ok(()),
        }
    }
}

fn out_of_range(text: &str) -> Error {
    format!("number out of range: {text}")
}

/// A float from JSON number text. In the browser, JavaScript's `parseFloat`
/// (correctly rounded, as Rust's is): Rust's own parser would add its tables,
/// some 20 KB, to the app.
#[cfg(target_arch = "wasm32")]
fn parse_f64(text: &str) -> f64 {
    js_sys::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_f64(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// An unknown name in place of an enum variant (or a frame's tag).
pub fn unknown_variant(name: &str) -> Error {
    format!("unknown variant `{name}`")
}

impl FromJson for String {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        value.into_string()
    }
}

impl FromJson for bool {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        match value {
            Json::Bool(value) => Ok(value),
            other => Err(other.invalid("a boolean")),
        }
    }
}

impl FromJson for u64 {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        value.as_u64()
    }
}

impl FromJson for u32 {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let n = value.as_u64()?;
        u32::try_from(n).map_err(|_| format!("invalid value: integer `{n}`, expected u32"))
    }
}

impl FromJson for usize {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        let n = value.as_u64()?;
        usize::try_from(n).map_err(|_| format!("invalid value: integer `{n}`, expected usize"))
    }
}

impl FromJson for f64 {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        value.as_f64()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Json<'_>) -> Result<Self, Error> {
        match value {
            Json::Array(items) => items.into_iter().map(T::from_json).collect(),
            other => Err(other.invalid("a sequence")),
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> Error {
        format!("{what} at byte {}", self.at)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let here = self.peek() == Some(byte);
        if here {
            self.at += 1;
        }
        here
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_whitespace();
                        if self.peek() != Some(b'"') {
                            return Err(self.error("key must be a string"));
                        }
                        let name = self.string()?;
                        self.expect(b':', "expected `:`")?;
                        members.push((name, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        self.expect(b',', "expected `,` or `}`")?;
                    }
                }
                Ok(Json::Object(Object { members }))
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',', "expected `,` or `]`")?;
                    }
                }
                Ok(Json::Array(items))
            }
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                for (word, value) in [("null", Json::Null), ("true", Json::Bool(true)), ("false", Json::Bool(false))] {
                    if self.text[self.at..].starts_with(word) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("expected value"))
            }
        }
    }

    /// A number as JSON writes one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Json<'a>, Error> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        let whole = at;
        let ok = match digits(&mut at) {
            0 => false,
            n => n == 1 || bytes[whole] != b'0',
        } && {
            let fraction_ok = if bytes.get(at) == Some(&b'.') {
                at += 1;
                digits(&mut at) > 0
            } else {
                true
            };
            fraction_ok && {
                if let Some(b'e' | b'E') = bytes.get(at) {
                    at += 1;
                    if let Some(b'+' | b'-') = bytes.get(at) {
                        at += 1;
                    }
                    digits(&mut at) > 0
                } else {
                    true
                }
            }
        };
        self.at = at;
        if !ok {
            return Err(self.error("invalid number"));
        }
        Ok(Json::Number(&self.text[start..at]))
    }

    /// A string, the parser on its opening quote; borrowed unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.at += 1;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let Some(&byte) = bytes.get(self.at) else {
                return Err(self.error("EOF while parsing a string"));
            };
            match byte {
                b'"' => {
                    let tail = &self.text[run..self.at];
                    self.at += 1;
                    return Ok(match owned {
                        Some(mut text) => {
                            text.push_str(tail);
                            Cow::Owned(text)
                        }
                        None => Cow::Borrowed(tail),
                    });
                }
                b'\\' => {
                    let text = owned.get_or_insert_with(String::new);
                    text.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high) {
                                if !self.text[self.at..].starts_with("\\u") {
                                    return Err(self.error("lone leading surrogate in hex escape"));
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("lone leading surrogate in hex escape"));
                                }
                                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                high
                            };
                            let c = char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?;
                            owned.get_or_insert_with(String::new).push(c);
                            run = self.at;
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    text.push(escaped);
                    self.at += 1;
                    run = self.at;
                }
                0..=0x1F => return Err(self.error("control character while parsing a string")),
                _ => self.at += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.text.get(self.at..self.at + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let code = digits.and_then(|d| u32::from_str_radix(d, 16).ok()).ok_or_else(|| self.error("invalid escape"))?;
        self.at += 4;
        Ok(code)
    }
}
