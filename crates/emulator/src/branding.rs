//! Logos and connect buttons drawn by the emulator: plain SVG, distinct per platform, no
//! third-party artwork.

use crate::catalog::Platform;

/// Which picture of a platform to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artwork {
    /// Square logo.
    Square,
    /// Wide logo with the name.
    Full,
    /// Connect button, resting.
    Button,
    /// Connect button, hovered (darker).
    ButtonHover,
}

impl Artwork {
    /// Parses the file name used in image URLs, e.g. `button-hover`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "square" => Some(Self::Square),
            "full" => Some(Self::Full),
            "button" => Some(Self::Button),
            "button-hover" => Some(Self::ButtonHover),
            _ => None,
        }
    }

    /// The file name used in image URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Square => "square",
            Self::Full => "full",
            Self::Button => "button",
            Self::ButtonHover => "button-hover",
        }
    }
}

/// The SVG document for one picture of a platform.
pub fn svg(platform: &Platform, artwork: Artwork) -> String {
    let hue = hue(&platform.key);
    let initials = escape(&initials(&platform.name));
    let name = escape(&platform.name);
    match artwork {
        Artwork::Square => format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="{name}"><rect width="64" height="64" rx="14" fill="hsl({hue},62%,42%)"/><text x="32" y="41" font-family="system-ui,sans-serif" font-size="24" font-weight="700" text-anchor="middle" fill="#fff">{initials}</text></svg>"##
        ),
        Artwork::Full => format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 64" role="img" aria-label="{name}"><rect width="64" height="64" rx="14" fill="hsl({hue},62%,42%)"/><text x="32" y="41" font-family="system-ui,sans-serif" font-size="24" font-weight="700" text-anchor="middle" fill="#fff">{initials}</text><text x="76" y="40" font-family="system-ui,sans-serif" font-size="20" fill="hsl({hue},62%,25%)">{name}</text></svg>"##
        ),
        Artwork::Button | Artwork::ButtonHover => {
            let lightness = if artwork == Artwork::Button { 42 } else { 30 };
            // Long names do not fit a button: those say "Connect" beside the platform's mark.
            let label = if platform.name.chars().count() <= BUTTON_NAME_LIMIT {
                format!("Connect to {name}")
            } else {
                "Connect".to_owned()
            };
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 44" role="img" aria-label="Connect to {name}"><rect width="240" height="44" rx="22" fill="hsl({hue},62%,{lightness}%)"/><text x="120" y="28" font-family="system-ui,sans-serif" font-size="15" font-weight="600" text-anchor="middle" fill="#fff">{label}</text></svg>"##
            )
        }
    }
}

/// Longest platform name written out on a button.
const BUTTON_NAME_LIMIT: usize = 14;

/// A hue derived from the key, so each platform keeps its own colour.
fn hue(key: &str) -> u32 {
    key.bytes().fold(7u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b))) % 360
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// Escapes text for XML and HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::platforms;

    #[test]
    fn names_with_ampersands_are_escaped() {
        let platform = platforms().into_iter().find(|p| p.key == "rqwd").unwrap();
        let svg = svg(&platform, Artwork::Full);
        assert!(svg.contains("Finance &amp; Operations"));
        assert!(!svg.contains("Finance & Operations"));
    }

    #[test]
    fn hover_button_differs_from_the_resting_one() {
        let platform = &platforms()[0];
        assert_ne!(svg(platform, Artwork::Button), svg(platform, Artwork::ButtonHover));
    }

    #[test]
    fn long_names_are_not_written_on_buttons() {
        let platforms = platforms();
        let xero = platforms.iter().find(|p| p.key == "gbol").unwrap();
        let netsuite = platforms.iter().find(|p| p.key == "rqwd").unwrap();
        assert!(svg(xero, Artwork::Button).contains(">Connect to Xero<"));
        assert!(svg(netsuite, Artwork::Button).contains(">Connect<"));
    }

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("QuickBooks Online Sandbox"), "QO");
        assert_eq!(initials("Xero"), "X");
    }
}
