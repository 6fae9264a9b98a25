//! Where the app runs: options are accepted only in a frame of the page they name, so a session
//! cannot be planted by a link.

use wasm_bindgen::JsValue;

/// Where the app is running: at the top of its tab, or framed, with the framing page's origin
/// where the browser tells it (`location.ancestorOrigins`, which Chromium and Safari have).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Not in a frame: the address bar shows the app itself.
    TopLevel,
    /// In a frame.
    Framed {
        /// The framing page's origin, where the browser tells it.
        parent_origin: Option<String>,
    },
}

pub(super) fn framing(window: &web_sys::Window) -> Framing {
    let parent = window.parent().ok().flatten();
    let framed = parent.is_some_and(|parent| !js_sys::Object::is(&parent, window));
    if !framed {
        return Framing::TopLevel;
    }
    let location = window.location();
    let ancestors = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins")).ok();
    let parent_origin = ancestors
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &JsValue::from_f64(0.0)).ok())
        .and_then(|origin| origin.as_string());
    Framing::Framed { parent_origin }
}

/// Why options naming `host_origin` are refused where the app runs, if they are. A session
/// token in the fragment of a top-level page, or of a frame some other site made, is a session
/// someone planted: the owner would connect their books to that someone's company.
pub fn framing_problem(framing: &Framing, host_origin: &str) -> Option<String> {
    match framing {
        Framing::TopLevel => Some(
            "embed options are accepted only in a frame of the lender's page; open this page from the lender's site"
                .into(),
        ),
        Framing::Framed { parent_origin: Some(parent) } if parent != host_origin => {
            Some(format!("hostOrigin {host_origin} is not the page that frames this one ({parent})"))
        }
        Framing::Framed { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_accepted_only_in_a_frame_of_the_host() {
        let host = "https://lender.example";
        let top = framing_problem(&Framing::TopLevel, host).unwrap();
        assert!(top.contains("frame"), "{top}");
        let elsewhere = Framing::Framed { parent_origin: Some("https://attacker.example".into()) };
        let mismatch = framing_problem(&elsewhere, host).unwrap();
        assert!(mismatch.contains("https://attacker.example"), "{mismatch}");
        let framed = Framing::Framed { parent_origin: Some(host.into()) };
        assert_eq!(framing_problem(&framed, host), None);
        // Browsers without ancestorOrigins: the frame check alone.
        assert_eq!(framing_problem(&Framing::Framed { parent_origin: None }, host), None);
    }
}
