//! The host's theme: `light` or `dark`, and `--cc-*` tokens set on the document's root.

use super::EmbedOptions;
use leptos::prelude::document;
use wasm_bindgen::JsCast;

/// Marks the document as embedded and applies the host's theme and tokens.
pub(super) fn apply_theme(options: &EmbedOptions) {
    let Some(root) = document().document_element() else { return };
    let _ = root.set_attribute("data-embedded", "");
    if let Some(theme) = &options.theme {
        let _ = root.set_attribute("data-theme", theme);
    }
    // CSSOM property writes are not inline style markup, so the CSP's style-src still holds.
    if let Some(root) = root.dyn_ref::<web_sys::HtmlElement>() {
        for (name, value) in &options.theme_tokens {
            let _ = root.style().set_property(name, value);
        }
    }
}
