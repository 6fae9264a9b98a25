//! Codat's `DateTime`: ISO 8601 that may be UTC (`Z`), carry an offset, or have none at all
//! (unqualified local time), with up to seven fractional digits. A strict RFC 3339 parser
//! rejects some of these, so Codat's date-times are kept as strings in the models and read here.

use time::{format_description::well_known::Iso8601, OffsetDateTime, PrimitiveDateTime};

/// Parses a Codat date-time with `time`'s ISO 8601 parser; one without an offset is taken as
/// UTC. A space between the date and the time is read as the `T` ISO 8601 asks for.
pub fn parse_date_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let text = match text.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &text[..10], &text[11..]),
        _ => text.to_owned(),
    };
    OffsetDateTime::parse(&text, &Iso8601::DEFAULT).ok().or_else(|| {
        PrimitiveDateTime::parse(&text, &Iso8601::DEFAULT).ok().map(PrimitiveDateTime::assume_utc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::UtcOffset;

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
    fn a_space_may_stand_for_the_t() {
        let parsed = parse_date_time("2021-11-15 01:00:00Z").unwrap();
        assert_eq!((parsed.day(), parsed.hour()), (15, 1));
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
            "2021-01-01é00:00:00Z",
        ] {
            assert!(parse_date_time(text).is_none(), "{text}");
        }
    }
}
