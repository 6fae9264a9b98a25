//! JSON for the app's own types. In the browser, text is parsed and written by the browser's
//! `JSON.parse` and `JSON.stringify`, so no JSON parser or formatter of ours is in the bundle
//! (see ARCHITECTURE.md for the bytes): a parsed value is read into our types by
//! `reader::Reader` (serde's, with failures that carry no words), and our types become values
//! through `serde-wasm-bindgen`. Natively (the unit tests) serde_json does the same job.

use serde::{de::DeserializeOwned, Serialize};

#[cfg(target_arch = "wasm32")]
mod reader;

/// Reads `text` as a `T`; `None` when it is not JSON or not a `T`. (Why not is not told:
/// formatting serde's reasons costs ~1 KB of bundle.)
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).ok()?;
        T::deserialize(reader::Reader(value)).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).ok()
    }
}

/// Writes `value` as JSON text (objects, not JavaScript `Map`s, for maps).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value = value.serialize(&serializer).ok()?;
        js_sys::JSON::stringify(&value).ok()?.as_string()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string(value).ok()
    }
}
