//! Codat's `DateTime`: ISO 8601 that may be UTC (`Z`), carry an offset, or have none at all
//! (unqualified local time), with up to seven fractional digits. A strict RFC 3339 parser
//! rejects some of these, so Codat's date-times are kept as strings in the models and read here.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses a Codat date-time; one without an offset is taken as UTC.
pub fn parse_date_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', ' '])?;
    let mut date_parts = date.split('-');
    let year: i32 = date_parts.next()?.parse().ok()?;
    let month: u8 = date_parts.next()?.parse().ok()?;
    let day: u8 = date_parts.next()?.parse().ok()?;
    if date_parts.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;

    let (clock, offset) = split_offset(rest)?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, fraction),
        None => (clock, ""),
    };
    let mut hms_parts = hms.split(':');
    let hour: u8 = hms_parts.next()?.parse().ok()?;
    let minute: u8 = hms_parts.next()?.parse().ok()?;
    let second: u8 = hms_parts.next().unwrap_or("0").parse().ok()?;
    if fraction.len() > 9 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let nanos: u32 = if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse().ok()? };
    let time = Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Splits `10:22:43.6464237+01:00` into the clock and its offset (UTC when absent).
fn split_offset(rest: &str) -> Option<(&str, UtcOffset)> {
    if let Some(clock) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix('z')) {
        return Some((clock, UtcOffset::UTC));
    }
    match rest.rfind(['+', '-']) {
        Some(at) => {
            let (clock, offset) = rest.split_at(at);
            let sign: i8 = if offset.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = offset[1..].split_once(':').unwrap_or((&offset[1..], "0"));
            let hours: i8 = hours.parse().ok()?;
            let minutes: i8 = minutes.parse().ok()?;
            Some((clock, UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?))
        }
        None => Some((rest, UtcOffset::UTC)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_seven_fractional_digits() {
        let parsed = parse_date_time("2022-10-27T10:22:43.6464237Z").unwrap();
        assert_eq!(parsed.nanosecond(), 646_423_700);
        assert_eq!(parsed.offset(), UtcOffset::UTC);
    }

    #[test]
    fn unqualified_local_time_is_taken_as_utc() {
        let parsed = parse_date_time("2021-11-15T01:00:00").unwrap();
        assert_eq!((parsed.hour(), parsed.offset()), (1, UtcOffset::UTC));
    }

    #[test]
    fn offsets_are_kept() {
        let parsed = parse_date_time("2021-11-15T01:00:00-05:00").unwrap();
        assert_eq!(parsed.offset().whole_hours(), -5);
        assert_eq!(parsed.to_offset(UtcOffset::UTC).hour(), 6);
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for text in [
            "",
            "yesterday",
            "2021-13-01T00:00:00Z",
            "2021-01-01",
            "2021-01-01T25:00:00Z",
            "2021-01-01T00:00:00.x",
        ] {
            assert!(parse_date_time(text).is_none(), "{text}");
        }
    }
}
