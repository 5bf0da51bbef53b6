//! Spec values as serde input: `from_value::<T>(&value)` turns a `spec_interpreter::Value`
//! into an ordinary Rust type. Integers become any integer type that holds them (`i64`,
//! `u64`, `i128`, ...; one beyond `i128` is offered as its decimal string), sets, lists and
//! tuples become sequences (`Vec`, `BTreeSet`, `HashSet`, tuples; sets in canonical order),
//! maps and records become maps and structs, `Some(x)`/`None` become `Option`, and other sum
//! type values become enums, externally tagged (`#[derive(Deserialize)] enum`) or adjacently
//! tagged as in ITF (`#[serde(tag = "tag", content = "value")]`, as quint-connect drivers
//! write them). A value that does not fit is an error that says where, as a path from the
//! root: `state.balances["alice"].amount: expected i64, found str`.
//!
//! The path is attached on the way out: an error made by a visitor deep inside has no path
//! yet, and the innermost deserializer that sees it pass gives it its own (outer ones keep
//! it).

use serde::de::{self, DeserializeOwned, DeserializeSeed, Expected, Unexpected, Visitor};
use spec_interpreter::value::{Int, Value};
use std::fmt;
use std::sync::Arc;

/// One step of a path into a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A record field (or a state variable).
    Field(String),
    /// An element of a list, set or tuple, by position.
    Index(usize),
    /// The value of a map at a key (shown as the key's spec literal).
    Key(String),
    /// The payload of a sum type value with this constructor.
    Variant(String),
}

/// What did not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeErrorKind {
    /// A value of another kind than the Rust type asks for.
    Mismatch { expected: String, found: String },
    /// An integer outside the Rust type's range, or another value the type refuses.
    Invalid { value: String, expected: String },
    /// A sequence of the wrong length.
    Length { len: usize, expected: String },
    UnknownVariant { variant: String, expected: Vec<&'static str> },
    UnknownField { field: String, expected: Vec<&'static str> },
    MissingField { field: &'static str },
    DuplicateField { field: &'static str },
    /// A set that cannot be listed (infinite, or too large).
    Unlistable { set: String },
    /// A message from a hand-written `Deserialize` implementation.
    Custom(String),
}

/// A value that did not fit its Rust type, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeError {
    /// Where the conversion started (`state`, or a pick's name).
    pub root: String,
    /// From the root to the value that did not fit; `None` until a deserializer locates it.
    pub path: Option<Vec<Segment>>,
    pub kind: DeErrorKind,
}

impl DeError {
    fn new(kind: DeErrorKind) -> DeError {
        DeError { root: String::new(), path: None, kind }
    }

    fn located(mut self, path: &[Segment]) -> DeError {
        if self.path.is_none() {
            self.path = Some(path.to_vec());
        }
        self
    }

    /// The path as text: `state.balances["alice"].amount`.
    pub fn path_text(&self) -> String {
        let mut out = self.root.clone();
        for s in self.path.iter().flatten() {
            match s {
                Segment::Field(f) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(f);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
                Segment::Key(k) => out.push_str(&format!("[{k}]")),
                Segment::Variant(v) => out.push_str(&format!("::{v}")),
            }
        }
        out
    }
}

impl fmt::Display for DeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeErrorKind::Mismatch { expected, found } => write!(f, "expected {expected}, found {found}"),
            DeErrorKind::Invalid { value, expected } => write!(f, "{value} does not fit: expected {expected}"),
            DeErrorKind::Length { len, expected } => write!(f, "{len} elements, expected {expected}"),
            DeErrorKind::UnknownVariant { variant, expected } => write!(f, "unknown variant `{variant}`, expected one of {expected:?}"),
            DeErrorKind::UnknownField { field, expected } => write!(f, "unknown field `{field}`, expected one of {expected:?}"),
            DeErrorKind::MissingField { field } => write!(f, "missing field `{field}`"),
            DeErrorKind::DuplicateField { field } => write!(f, "duplicate field `{field}`"),
            DeErrorKind::Unlistable { set } => write!(f, "cannot list the elements of {set}"),
            DeErrorKind::Custom(m) => f.write_str(m),
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path_text();
        if path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{path}: {}", self.kind)
        }
    }
}

impl std::error::Error for DeError {}

/// A short name for what serde says it found.
fn unexpected_name(u: &Unexpected) -> String {
    match u {
        Unexpected::Bool(_) => "bool".into(),
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "int".into(),
        Unexpected::Float(_) => "float".into(),
        Unexpected::Char(_) | Unexpected::Str(_) => "str".into(),
        Unexpected::Bytes(_) => "bytes".into(),
        Unexpected::Unit => "unit".into(),
        Unexpected::Option => "option".into(),
        Unexpected::NewtypeStruct => "newtype".into(),
        Unexpected::Seq => "set, list or tuple".into(),
        Unexpected::Map => "map or record".into(),
        Unexpected::Enum | Unexpected::UnitVariant | Unexpected::NewtypeVariant | Unexpected::TupleVariant | Unexpected::StructVariant => "variant".into(),
        Unexpected::Other(s) => s.to_string(),
    }
}

fn unexpected_value(u: &Unexpected) -> String {
    match u {
        Unexpected::Unsigned(n) => n.to_string(),
        Unexpected::Signed(n) => n.to_string(),
        Unexpected::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(DeErrorKind::Custom(msg.to_string()))
    }
    fn invalid_type(unexp: Unexpected, exp: &dyn Expected) -> Self {
        DeError::new(DeErrorKind::Mismatch { expected: exp.to_string(), found: unexpected_name(&unexp) })
    }
    fn invalid_value(unexp: Unexpected, exp: &dyn Expected) -> Self {
        DeError::new(DeErrorKind::Invalid { value: unexpected_value(&unexp), expected: exp.to_string() })
    }
    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        DeError::new(DeErrorKind::Length { len, expected: exp.to_string() })
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeErrorKind::UnknownVariant { variant: variant.to_string(), expected: expected.to_vec() })
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeErrorKind::UnknownField { field: field.to_string(), expected: expected.to_vec() })
    }
    fn missing_field(field: &'static str) -> Self {
        DeError::new(DeErrorKind::MissingField { field })
    }
    fn duplicate_field(field: &'static str) -> Self {
        DeError::new(DeErrorKind::DuplicateField { field })
    }
}

/// Converts `value` to `T`; errors name paths from `root` (e.g. `state`, or a pick's name).
pub fn from_value<T: DeserializeOwned>(value: &Value, root: &str) -> Result<T, DeError> {
    T::deserialize(ValueDeserializer { value, path: Vec::new() }).map_err(|mut e| {
        e.root = root.to_string();
        if e.path.is_none() {
            e.path = Some(Vec::new());
        }
        e
    })
}

/// A serde `Deserializer` over a borrowed spec value, at a path.
pub struct ValueDeserializer<'a> {
    value: &'a Value,
    path: Vec<Segment>,
}

impl<'a> ValueDeserializer<'a> {
    pub fn new(value: &'a Value) -> ValueDeserializer<'a> {
        ValueDeserializer { value, path: Vec::new() }
    }

    fn mismatch(&self, expected: &str) -> DeError {
        DeError::new(DeErrorKind::Mismatch { expected: expected.to_string(), found: self.value.kind().to_string() }).located(&self.path)
    }

    fn child(&self, segment: Segment) -> Vec<Segment> {
        let mut p = self.path.clone();
        p.push(segment);
        p
    }

    /// The elements of a set, list or tuple, or the (key, value) pairs of a map as tuples.
    fn elements(&self) -> Result<Option<Vec<Value>>, DeError> {
        Ok(Some(match self.value {
            Value::Set(s) => s.elements().map_err(|_| DeError::new(DeErrorKind::Unlistable { set: s.describe() }).located(&self.path))?.into_iter().collect(),
            Value::List(l) => l.iter().cloned().collect(),
            Value::Tuple(t) => t.to_vec(),
            Value::Map(m) => m.iter().map(|(k, v)| Value::Tuple(Arc::new(vec![k.clone(), v.clone()]))).collect(),
            _ => return Ok(None),
        }))
    }

    /// The entries of a map, a record, or a variant seen as `{ tag, value }`.
    fn entries(&self) -> Option<Vec<(Value, Value, Segment)>> {
        Some(match self.value {
            Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone(), Segment::Key(k.to_string()))).collect(),
            Value::Record(fields) => fields.iter().map(|(k, v)| (Value::Str(k.clone()), v.clone(), Segment::Field(k.to_string()))).collect(),
            Value::Variant(tag, payload) => vec![
                (Value::str("tag"), Value::Str(tag.clone()), Segment::Field("tag".into())),
                (Value::str("value"), (**payload).clone(), Segment::Variant(tag.to_string())),
            ],
            _ => return None,
        })
    }

    fn visit_seq_of<'de, V: Visitor<'de>>(self, items: Vec<Value>, visitor: V) -> Result<V::Value, DeError> {
        let len = items.len();
        let mut access = SeqDe { items: items.into_iter(), index: 0, path: self.path.clone() };
        let out = visitor.visit_seq(&mut access).map_err(|e: DeError| e.located(&self.path))?;
        if access.items.len() > 0 {
            return Err(DeError::new(DeErrorKind::Length { len, expected: format!("{} elements", access.index) }).located(&self.path));
        }
        Ok(out)
    }

    fn visit_int<'de, V: Visitor<'de>>(&self, n: &Int, visitor: V) -> Result<V::Value, DeError> {
        use num_traits::ToPrimitive;
        match n {
            Int::Small(s) => visitor.visit_i64(*s),
            // Outside i64: u64 first (every integer type's visitor takes it), then 128 bits,
            // then the decimal text (for a bigint type).
            Int::Big(b) => match (b.to_u64(), b.to_i128(), b.to_u128()) {
                (Some(x), _, _) => visitor.visit_u64(x),
                (None, Some(x), _) => visitor.visit_i128(x),
                (None, None, Some(x)) => visitor.visit_u128(x),
                (None, None, None) => visitor.visit_string(b.to_string()),
            },
        }
        .map_err(|e: DeError| e.located(&self.path))
    }
}

macro_rules! integer_methods {
    ($($method:ident => $name:literal),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.value {
                Value::Int(n) => self.visit_int(n, visitor),
                _ => Err(self.mismatch($name)),
            }
        })*
    };
}

impl<'de, 'a> de::Deserializer<'de> for ValueDeserializer<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b).map_err(|e: DeError| e.located(&self.path)),
            Value::Int(n) => self.visit_int(n, visitor),
            Value::Str(s) => visitor.visit_str(s).map_err(|e: DeError| e.located(&self.path)),
            // The empty tuple is the unit value (the payload of a constructor without one).
            Value::Tuple(t) if t.is_empty() => visitor.visit_unit().map_err(|e: DeError| e.located(&self.path)),
            Value::Set(_) | Value::List(_) | Value::Tuple(_) => {
                let items = self.elements()?.unwrap_or_default();
                self.visit_seq_of(items, visitor)
            }
            Value::Map(_) | Value::Record(_) | Value::Variant(..) => self.deserialize_map(visitor),
            Value::Lambda(_) => Err(self.mismatch("a value")),
        }
    }

    integer_methods!(deserialize_i8 => "i8", deserialize_i16 => "i16", deserialize_i32 => "i32", deserialize_i64 => "i64",
        deserialize_i128 => "i128", deserialize_u8 => "u8", deserialize_u16 => "u16", deserialize_u32 => "u32",
        deserialize_u64 => "u64", deserialize_u128 => "u128", deserialize_f32 => "f32", deserialize_f64 => "f64");

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b).map_err(|e: DeError| e.located(&self.path)),
            _ => Err(self.mismatch("bool")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Str(s) => visitor.visit_str(s).map_err(|e: DeError| e.located(&self.path)),
            _ => Err(self.mismatch("char")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Str(s) => visitor.visit_str(s).map_err(|e: DeError| e.located(&self.path)),
            _ => Err(self.mismatch("string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Variant(tag, payload) if &**tag == "Some" => {
                let path = self.child(Segment::Variant("Some".into()));
                visitor.visit_some(ValueDeserializer { value: payload, path }).map_err(|e: DeError| e.located(&self.path))
            }
            Value::Variant(tag, _) if &**tag == "None" => visitor.visit_none().map_err(|e: DeError| e.located(&self.path)),
            Value::Variant(..) => Err(self.mismatch("Some(_) or None")),
            // A value that is not an option: present, as a spec without `Option` writes it.
            _ => {
                let path = self.path.clone();
                visitor.visit_some(self).map_err(|e: DeError| e.located(&path))
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Tuple(t) if t.is_empty() => visitor.visit_unit().map_err(|e: DeError| e.located(&self.path)),
            Value::Record(f) if f.is_empty() => visitor.visit_unit().map_err(|e: DeError| e.located(&self.path)),
            _ => Err(self.mismatch("the unit value ()")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path.clone();
        visitor.visit_newtype_struct(self).map_err(|e: DeError| e.located(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.elements()? {
            Some(items) => self.visit_seq_of(items, visitor),
            None => Err(self.mismatch("a set, list or tuple")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.entries() {
            Some(entries) => {
                let mut access = MapDe { entries: entries.into_iter(), value: None, path: self.path.clone() };
                visitor.visit_map(&mut access).map_err(|e: DeError| e.located(&self.path))
            }
            None => Err(self.mismatch("a map or record")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Map(_) | Value::Record(_) | Value::Variant(..) => self.deserialize_map(visitor),
            _ => Err(self.mismatch("a record")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, _variants: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        let unit = Value::unit();
        let (tag, payload): (&str, &Value) = match self.value {
            Value::Variant(tag, payload) => (tag, payload),
            // A string names a constructor without payload (specs that encode enums as strings).
            Value::Str(s) => (s, &unit),
            _ => return Err(self.mismatch("a variant")),
        };
        let path = self.child(Segment::Variant(tag.to_string()));
        visitor.visit_enum(EnumDe { tag, payload, path }).map_err(|e: DeError| e.located(&self.path))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Str(s) => visitor.visit_str(s).map_err(|e: DeError| e.located(&self.path)),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe {
    items: std::vec::IntoIter<Value>,
    index: usize,
    path: Vec<Segment>,
}

impl<'de> de::SeqAccess<'de> for SeqDe {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let mut path = self.path.clone();
        path.push(Segment::Index(self.index));
        self.index += 1;
        let located = path.clone();
        seed.deserialize(ValueDeserializer { value: &item, path }).map(Some).map_err(|e: DeError| e.located(&located))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe {
    entries: std::vec::IntoIter<(Value, Value, Segment)>,
    value: Option<(Value, Segment)>,
    path: Vec<Segment>,
}

impl<'de> de::MapAccess<'de> for MapDe {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some((key, value, segment)) = self.entries.next() else { return Ok(None) };
        let mut path = self.path.clone();
        path.push(segment.clone());
        let located = path.clone();
        self.value = Some((value, segment));
        seed.deserialize(ValueDeserializer { value: &key, path }).map(Some).map_err(|e: DeError| e.located(&located))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((value, segment)) = self.value.take() else {
            return Err(DeError::new(DeErrorKind::Custom("a map value was asked for before its key".into())).located(&self.path));
        };
        let mut path = self.path.clone();
        path.push(segment);
        let located = path.clone();
        seed.deserialize(ValueDeserializer { value: &value, path }).map_err(|e: DeError| e.located(&located))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumDe<'a> {
    tag: &'a str,
    payload: &'a Value,
    path: Vec<Segment>,
}

impl<'de, 'a> de::EnumAccess<'de> for EnumDe<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let tag = seed.deserialize(de::value::StrDeserializer::<DeError>::new(self.tag))?;
        Ok((tag, self))
    }
}

impl<'de, 'a> de::VariantAccess<'de> for EnumDe<'a> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.payload {
            Value::Tuple(t) if t.is_empty() => Ok(()),
            other => Err(DeError::new(DeErrorKind::Mismatch { expected: format!("`{}` without a payload", self.tag), found: other.kind().to_string() }).located(&self.path)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        let path = self.path.clone();
        seed.deserialize(ValueDeserializer { value: self.payload, path: self.path }).map_err(|e: DeError| e.located(&path))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(ValueDeserializer { value: self.payload, path: self.path }, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(ValueDeserializer { value: self.payload, path: self.path }, visitor)
    }
}
