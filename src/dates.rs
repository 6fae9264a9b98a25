//! Codat's ISO 8601 date-times as a person reads them.

use crate::i18n::Messages;

/// `2026-11-28T00:16:29Z` as `28 Nov 2026` (`28 nov. 2026` in French); anything unreadable is
/// shown as it came.
pub fn day(m: &Messages, iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let mut parts = date.split('-');
    let parsed = (|| {
        let year: u32 = parts.next()?.parse().ok()?;
        let month: usize = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        Some(format!("{day} {} {year}", m.months.get(month.checked_sub(1)?)?))
    })();
    parsed.unwrap_or_else(|| iso.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn iso_date_times_read_as_days() {
        assert_eq!(day(Locale::En.messages(), "2026-11-28T00:16:29.001557078Z"), "28 Nov 2026");
        assert_eq!(day(Locale::FrCa.messages(), "2022-01-05T01:00:00"), "5 janv. 2022");
    }

    #[test]
    fn unreadable_dates_are_shown_unchanged() {
        let en = Locale::En.messages();
        assert_eq!(day(en, "yesterday"), "yesterday");
        assert_eq!(day(en, "2026-13-01T00:00:00Z"), "2026-13-01T00:00:00Z");
        assert_eq!(day(en, ""), "");
    }
}
