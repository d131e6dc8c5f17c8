//! CTAP2 canonical CBOR (CTAP 2.1 §8 "Message Encoding").
//!
//! Out: every response is encoded canonically (shortest integer and length encodings, definite
//! lengths, map keys sorted length-first then bytewise), because strict clients re-encode what
//! they receive and reject anything else. In: requests must be canonical too; anything else is
//! `CTAP2_ERR_INVALID_CBOR`, a value of the wrong type is `CTAP2_ERR_CBOR_UNEXPECTED_TYPE`.

use std::io::Cursor;

use ciborium::Value;
use ciborium_ll::{Encoder, Header};

use super::StatusCode;

/// Deepest nesting accepted in a request. CTAP 2.1 §8 caps message nesting at four levels; the
/// parser allows a little more so that the typed layer, not the decoder, names the error.
const MAX_DEPTH: usize = 8;

/// Decodes one request body strictly: a single well-formed, canonical CBOR item, nothing after it.
pub fn decode_strict(bytes: &[u8]) -> Result<Value, StatusCode> {
    let mut cursor = Cursor::new(bytes);
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut cursor, MAX_DEPTH * 2)
        .map_err(|_| StatusCode::InvalidCbor)?;
    if usize::try_from(cursor.position()).ok() != Some(bytes.len()) {
        return Err(StatusCode::InvalidCbor);
    }
    check_shape(&value, 1)?;
    // Canonical form is unique, so re-encoding must reproduce the input byte for byte: this
    // rejects non-minimal lengths, indefinite lengths, unsorted maps and stray simple values.
    if !encodes_to(&value, bytes) {
        return Err(StatusCode::InvalidCbor);
    }
    Ok(value)
}

/// Rejects what CTAP never uses (tags, floats), duplicate map keys and excessive nesting.
fn check_shape(value: &Value, depth: usize) -> Result<(), StatusCode> {
    if depth > MAX_DEPTH {
        return Err(StatusCode::InvalidCbor);
    }
    match value {
        Value::Tag(..) | Value::Float(_) => Err(StatusCode::InvalidCbor),
        Value::Array(items) => items.iter().try_for_each(|item| check_shape(item, depth + 1)),
        Value::Map(entries) => {
            for (i, (key, item)) in entries.iter().enumerate() {
                if entries[..i].iter().any(|(earlier, _)| earlier == key) {
                    return Err(StatusCode::InvalidCbor);
                }
                check_shape(key, depth + 1)?;
                check_shape(item, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Encodes a value canonically: maps are sorted by their encoded keys, length first.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and every Value is serialisable.
    let _ = write_canonical(value, &mut out);
    out
}

/// Whether the canonical encoding of `value` is exactly `bytes`, compared as it is written:
/// nothing is allocated for the encoding and the first differing byte ends the comparison.
fn encodes_to(value: &Value, bytes: &[u8]) -> bool {
    let mut expected = ExpectedBytes(bytes);
    write_canonical(value, &mut expected).is_ok() && expected.0.is_empty()
}

/// A writer that accepts only the bytes it expects next.
struct ExpectedBytes<'a>(&'a [u8]);

impl std::io::Write for ExpectedBytes<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match self.0.strip_prefix(data) {
            Some(rest) => {
                self.0 = rest;
                Ok(data.len())
            }
            None => Err(std::io::ErrorKind::InvalidData.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes `value` in CTAP2 canonical form (CTAP 2.1 §8): definite lengths, and every map's
/// entries in the order of their encoded keys, length first, then bytewise. Leaves go through
/// ciborium's serializer, which writes the shortest integer and length encodings.
fn write_canonical<W: std::io::Write>(value: &Value, writer: &mut W) -> std::io::Result<()> {
    match value {
        Value::Array(items) => {
            Encoder::from(&mut *writer).push(Header::Array(Some(items.len())))?;
            items.iter().try_for_each(|item| write_canonical(item, writer))
        }
        Value::Map(entries) => {
            let mut keyed: Vec<(Vec<u8>, &Value)> =
                entries.iter().map(|(key, item)| (encode(key), item)).collect();
            keyed.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
            Encoder::from(&mut *writer).push(Header::Map(Some(keyed.len())))?;
            for (key, item) in keyed {
                writer.write_all(&key)?;
                write_canonical(item, writer)?;
            }
            Ok(())
        }
        Value::Tag(tag, inner) => {
            Encoder::from(&mut *writer).push(Header::Tag(*tag))?;
            write_canonical(inner, writer)
        }
        leaf => ciborium::ser::into_writer(leaf, &mut *writer).map_err(|error| match error {
            ciborium::ser::Error::Io(io) => io,
            ciborium::ser::Error::Value(message) => std::io::Error::other(message),
        }),
    }
}

/// An integer-keyed CBOR map under construction, for responses and requests alike.
#[derive(Default, Debug)]
pub struct MapBuilder(Vec<(Value, Value)>);

impl MapBuilder {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key => value`, replacing an earlier value under the same key.
    pub fn insert(mut self, key: impl Into<Value>, value: impl Into<Value>) -> Self {
        let key = key.into();
        self.0.retain(|(existing, _)| *existing != key);
        self.0.push((key, value.into()));
        self
    }

    /// Adds `key => value` when `value` is `Some`.
    pub fn insert_opt(self, key: impl Into<Value>, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(value) => self.insert(key, value),
            None => self,
        }
    }

    /// The finished map (not yet sorted: [`encode`] sorts).
    pub fn build(self) -> Value {
        Value::Map(self.0)
    }
}

/// A request map taken apart field by field; every accessor names the CTAP error for a bad value.
#[derive(Debug)]
pub struct MapReader(Vec<(Value, Value)>);

impl MapReader {
    /// Reads `value` as a map, or `CTAP2_ERR_CBOR_UNEXPECTED_TYPE`.
    pub fn new(value: Value) -> Result<Self, StatusCode> {
        match value {
            Value::Map(entries) => Ok(Self(entries)),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    /// Removes and returns the value under an integer key.
    pub fn take(&mut self, key: i64) -> Option<Value> {
        let index = self
            .0
            .iter()
            .position(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))?;
        Some(self.0.swap_remove(index).1)
    }

    /// Removes and returns the value under a text key.
    pub fn take_text_key(&mut self, key: &str) -> Option<Value> {
        let index = self.0.iter().position(|(k, _)| k.as_text() == Some(key))?;
        Some(self.0.swap_remove(index).1)
    }

    /// A required field, or `CTAP2_ERR_MISSING_PARAMETER`.
    pub fn required(&mut self, key: i64) -> Result<Value, StatusCode> {
        self.take(key).ok_or(StatusCode::MissingParameter)
    }
}

/// Typed views of a CBOR value; the wrong type is `CTAP2_ERR_CBOR_UNEXPECTED_TYPE`.
pub trait ValueExt: Sized {
    /// A byte string.
    fn bytes_value(self) -> Result<Vec<u8>, StatusCode>;
    /// A text string.
    fn text_value(self) -> Result<String, StatusCode>;
    /// An integer that fits in i64.
    fn int_value(self) -> Result<i64, StatusCode>;
    /// A boolean.
    fn bool_value(self) -> Result<bool, StatusCode>;
    /// An array.
    fn array_value(self) -> Result<Vec<Value>, StatusCode>;
    /// A map, ready to be read.
    fn map_value(self) -> Result<MapReader, StatusCode>;
}

impl ValueExt for Value {
    fn bytes_value(self) -> Result<Vec<u8>, StatusCode> {
        match self {
            Value::Bytes(bytes) => Ok(bytes),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    fn text_value(self) -> Result<String, StatusCode> {
        match self {
            Value::Text(text) => Ok(text),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    fn int_value(self) -> Result<i64, StatusCode> {
        match self {
            Value::Integer(i) => i64::try_from(i).map_err(|_| StatusCode::InvalidParameter),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    fn bool_value(self) -> Result<bool, StatusCode> {
        match self {
            Value::Bool(b) => Ok(b),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    fn array_value(self) -> Result<Vec<Value>, StatusCode> {
        match self {
            Value::Array(items) => Ok(items),
            _ => Err(StatusCode::CborUnexpectedType),
        }
    }

    fn map_value(self) -> Result<MapReader, StatusCode> {
        MapReader::new(self)
    }
}

#[cfg(test)]
mod tests;
