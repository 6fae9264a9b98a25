//! The platforms the emulator offers, from Codat's published platform list.

use codat::SourceType;

/// The platform list shipped with the emulator (key, name, source type, set-up note, quirks).
const PLATFORMS_TSV: &str = include_str!("../data/platforms.tsv");

/// One platform the emulator can connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// Codat's four-letter key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Kind of platform.
    pub source_type: SourceType,
    /// The extra step the platform asks for during authorization, if any.
    pub setup_note: Option<String>,
    /// Offered to the client's customers.
    pub enabled: bool,
    /// Marked beta.
    pub is_beta: bool,
    /// Stable id of the integration, derived from the key.
    pub integration_id: String,
    /// Stable id of the data source, derived from the key.
    pub source_id: String,
    /// Its branding has no connect button images (most platforms offer none).
    pub no_buttons: bool,
    /// Its branding has a connect button but no hover image.
    pub no_hover: bool,
    /// Its connections leave out `integrationKey` (optional in Codat's spec since 2026).
    pub no_integration_key: bool,
    /// A file upload integration: its connections take files (`POST .../files`) rather than
    /// reading data from a platform.
    pub file_upload: bool,
}

/// `count` made-up accounting platforms (`Test platform 0001`, ...), for measuring a large grid.
/// Their keys are four letters starting with `x`, which no real platform uses.
pub fn synthetic(count: usize) -> Vec<Platform> {
    (0..count.min(26 * 26 * 26))
        .map(|i| {
            let letters: String =
                [i / 676, (i / 26) % 26, i % 26].iter().map(|n| char::from(b'a' + *n as u8)).collect();
            let key = format!("x{letters}");
            Platform {
                integration_id: stable_uuid("integration", &key),
                source_id: stable_uuid("source", &key),
                name: format!("Test platform {:04}", i + 1),
                source_type: SourceType::Accounting,
                setup_note: None,
                enabled: true,
                is_beta: false,
                no_buttons: false,
                no_hover: false,
                no_integration_key: false,
                file_upload: false,
                key,
            }
        })
        .collect()
}

/// Every platform in the shipped list, all enabled.
pub fn platforms() -> Vec<Platform> {
    PLATFORMS_TSV.lines().skip(1).filter(|line| !line.trim().is_empty()).filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Platform> {
    let mut fields = line.split('\t');
    let key = fields.next()?.trim().to_owned();
    let name = fields.next()?.trim().to_owned();
    let source_type = match fields.next()?.trim() {
        "Accounting" => SourceType::Accounting,
        "Banking" => SourceType::Banking,
        "Commerce" => SourceType::Commerce,
        _ => SourceType::Other,
    };
    let setup_note = fields.next().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    let quirks: Vec<&str> = fields.next().unwrap_or_default().split(',').map(str::trim).collect();
    Some(Platform {
        no_buttons: quirks.contains(&"no-buttons"),
        no_hover: quirks.contains(&"no-hover"),
        no_integration_key: quirks.contains(&"no-key"),
        file_upload: quirks.contains(&"file-upload"),
        integration_id: stable_uuid("integration", &key),
        source_id: stable_uuid("source", &key),
        is_beta: matches!(key.as_str(), "rvam" | "ldgh"),
        enabled: true,
        key,
        name,
        source_type,
        setup_note,
    })
}

/// A UUID that is the same for the same inputs on every run, so ids survive restarts: a
/// name-based (version 5) UUID under a namespace of the emulator's own.
fn stable_uuid(kind: &str, key: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_2d4e_8a7b_4c3d_9e0f_1a2b_3c4d_5e6f);
    uuid::Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_has_every_platform_with_four_letter_keys() {
        let platforms = platforms();
        assert_eq!(platforms.len(), 32);
        assert!(platforms.iter().all(|p| p.key.len() == 4 && p.key.chars().all(|c| c.is_ascii_lowercase())));
    }

    #[test]
    fn xero_is_accounting_with_its_company_name_step() {
        let xero = platforms().into_iter().find(|p| p.key == "gbol").unwrap();
        assert_eq!(xero.name, "Xero");
        assert_eq!(xero.source_type, SourceType::Accounting);
        assert!(xero.setup_note.unwrap().contains("company name"));
    }

    #[test]
    fn some_platforms_lack_button_images_or_an_integration_key() {
        let platforms = platforms();
        let quirky = |test: fn(&Platform) -> bool| platforms.iter().filter(|p| test(p)).count();
        assert!(quirky(|p| p.no_buttons) >= 2);
        assert!(quirky(|p| p.no_hover) >= 1);
        assert!(quirky(|p| p.no_integration_key) >= 1);
        let quickbooks = platforms.iter().find(|p| p.key == "qhyg").unwrap();
        assert!(!quickbooks.no_buttons && !quickbooks.no_hover, "Intuit requires its buttons");
    }

    #[test]
    fn synthetic_platforms_have_distinct_four_letter_keys() {
        let platforms = synthetic(1000);
        let keys: std::collections::BTreeSet<&str> = platforms.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), 1000);
        assert!(keys.iter().all(|k| k.len() == 4 && k.starts_with('x')));
    }

    #[test]
    fn ids_are_stable_and_distinct_per_platform() {
        let a = platforms();
        let b = platforms();
        assert_eq!(a[0].integration_id, b[0].integration_id);
        assert_ne!(a[0].integration_id, a[1].integration_id);
    }
}
