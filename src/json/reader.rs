//! Reads a parsed JavaScript value (what `JSON.parse` gives) into the app's types through serde.
//!
//! `serde-wasm-bindgen` does this too, but its error type words every failure: serde's default
//! `invalid_type` formats what it found, a float among them, which links the standard library's
//! float formatting (about 15 KB of wasm) into a page that never shows those words. Here every
//! failure is one word-less `Unreadable`, so none of that is linked. Values come only from
//! `JSON.parse`: null, booleans, numbers, strings, arrays and plain objects.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// The value could not be read as the type asked for (why is not kept).
#[derive(Debug)]
pub struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unreadable")
    }
}

impl std::error::Error for Unreadable {}

// Each of serde's ways of describing a failure is overridden, so none formats its arguments.
impl de::Error for Unreadable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unreadable
    }
    fn invalid_type(_: de::Unexpected<'_>, _: &dyn de::Expected) -> Self {
        Unreadable
    }
    fn invalid_value(_: de::Unexpected<'_>, _: &dyn de::Expected) -> Self {
        Unreadable
    }
    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        Unreadable
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        Unreadable
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Unreadable
    }
    fn missing_field(_: &'static str) -> Self {
        Unreadable
    }
    fn duplicate_field(_: &'static str) -> Self {
        Unreadable
    }
}

/// A value to read.
pub struct Reader(pub JsValue);

type Read<T> = Result<T, Unreadable>;

impl<'de> de::Deserializer<'de> for Reader {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        let value = self.0;
        if value.is_null() || value.is_undefined() {
            visitor.visit_unit()
        } else if let Some(flag) = value.as_bool() {
            visitor.visit_bool(flag)
        } else if let Some(number) = value.as_f64() {
            // Whole numbers as integers, which integer fields take; the rest as floats.
            let whole = number.fract() == 0.0;
            if whole && (0.0..18_446_744_073_709_551_616.0).contains(&number) {
                visitor.visit_u64(number as u64)
            } else if whole && (-9_223_372_036_854_775_808.0..0.0).contains(&number) {
                visitor.visit_i64(number as i64)
            } else {
                visitor.visit_f64(number)
            }
        } else if let Some(text) = value.as_string() {
            visitor.visit_string(text)
        } else if js_sys::Array::is_array(&value) {
            let items: js_sys::Array = value.unchecked_into();
            visitor.visit_seq(Items { items, next: 0 })
        } else if value.is_object() {
            let entries = js_sys::Object::entries(value.unchecked_ref());
            visitor.visit_map(Entries { entries, next: 0, value: None })
        } else {
            Err(Unreadable)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Read<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is its name; a variant with data, an object of one key.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Read<V::Value> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(name.into_deserializer());
        }
        let entries = js_sys::Object::entries(self.0.dyn_ref().ok_or(Unreadable)?);
        if entries.length() != 1 {
            return Err(Unreadable);
        }
        let entry: js_sys::Array = entries.get(0).unchecked_into();
        let name = entry.get(0).as_string().ok_or(Unreadable)?;
        visitor.visit_enum(Variant { name, value: entry.get(1) })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An array's items, in order.
struct Items {
    items: js_sys::Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Unreadable;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Read<Option<T::Value>> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Reader(item)).map(Some)
    }
}

/// An object's entries (`Object.entries`: its own keys, in order), each a key then its value.
struct Entries {
    entries: js_sys::Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Read<Option<K::Value>> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let entry: js_sys::Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(entry.get(1));
        let key = entry.get(0).as_string().ok_or(Unreadable)?;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Read<V::Value> {
        seed.deserialize(Reader(self.value.take().ok_or(Unreadable)?))
    }
}

/// A variant with data: its name, then its value.
struct Variant {
    name: String,
    value: JsValue,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Unreadable;
    type Variant = Reader;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Read<(V::Value, Reader)> {
        let name = seed.deserialize(self.name.into_deserializer())?;
        Ok((name, Reader(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for Reader {
    type Error = Unreadable;

    fn unit_variant(self) -> Read<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Read<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Read<V::Value> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Read<V::Value> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
