//! Codat's ISO 8601 date-times as a person reads them.

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `2026-11-28T00:16:29Z` as `28 Nov 2026`; anything unreadable is shown as it came.
pub fn day(iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let mut parts = date.split('-');
    let parsed = (|| {
        let year: u32 = parts.next()?.parse().ok()?;
        let month: usize = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        Some(format!("{day} {} {year}", MONTHS.get(month.checked_sub(1)?)?))
    })();
    parsed.unwrap_or_else(|| iso.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_times_read_as_days() {
        assert_eq!(day("2026-11-28T00:16:29.001557078Z"), "28 Nov 2026");
        assert_eq!(day("2022-01-05T01:00:00"), "5 Jan 2022");
    }

    #[test]
    fn unreadable_dates_are_shown_unchanged() {
        assert_eq!(day("yesterday"), "yesterday");
        assert_eq!(day("2026-13-01T00:00:00Z"), "2026-13-01T00:00:00Z");
        assert_eq!(day(""), "");
    }
}
