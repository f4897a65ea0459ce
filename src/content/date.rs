//! Front-matter dates: `YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±hh:mm]]`, from TOML datetimes or strings.
//!
//! A date keeps the offset its author wrote, so a post published at 09:30 in Paris shows 09:30;
//! sorting uses the absolute instant. A date without an offset is taken as UTC, so a build does
//! not depend on the machine's time zone.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{DateTime, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub timestamp: Timestamp,
    pub offset: Offset,
}

impl Date {
    /// The date in its author's offset.
    pub fn zoned(&self) -> Zoned {
        self.timestamp.to_zoned(TimeZone::fixed(self.offset))
    }

    /// RFC 3339, as templates, feeds and the sitemap receive it: `2026-03-14T09:30:00Z`.
    pub fn rfc3339(&self) -> String {
        let zoned = self.zoned();
        if self.offset == Offset::UTC {
            zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        }
    }

    /// Formats with strftime directives, in the author's offset.
    pub fn format(&self, format: &str) -> Result<String, String> {
        jiff::fmt::strtime::format(format, &self.zoned())
            .map_err(|e| format!("invalid date format {format:?}: {e}"))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.timestamp.cmp(&other.timestamp)
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let invalid = || {
            format!(
                "invalid date {text:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, \
                 optionally followed by Z or an offset like +02:00"
            )
        };
        // TOML allows a space between date and time; RFC 3339 parsers want `T`.
        let normalised = if text.len() > 10 && text.as_bytes()[10] == b' ' {
            format!("{}T{}", &text[..10], &text[11..])
        } else {
            text.to_owned()
        };
        let pieces = Pieces::parse(normalised.as_str()).map_err(|_| invalid())?;
        let time = pieces.time().unwrap_or(Time::midnight());
        let datetime = DateTime::from_parts(pieces.date(), time);
        let offset = match pieces.offset() {
            Some(PiecesOffset::Numeric(numeric)) => numeric.offset(),
            Some(PiecesOffset::Zulu) | None => Offset::UTC,
            Some(_) => return Err(invalid()),
        };
        if pieces.time_zone_annotation().is_some() {
            return Err(invalid());
        }
        let timestamp = datetime
            .to_zoned(TimeZone::fixed(offset))
            .map_err(|_| invalid())?
            .timestamp();
        Ok(Date { timestamp, offset })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn accepts_every_documented_form() {
        for (input, expected) in [
            ("2026-03-14", "2026-03-14T00:00:00Z"),
            ("2026-03-14T09:30:00", "2026-03-14T09:30:00Z"),
            ("2026-03-14T09:30:00Z", "2026-03-14T09:30:00Z"),
            ("2026-03-14 09:30:00Z", "2026-03-14T09:30:00Z"),
            ("2026-03-14T09:30:00+02:00", "2026-03-14T09:30:00+02:00"),
            ("2026-03-14T09:30", "2026-03-14T09:30:00Z"),
        ] {
            let date: Date = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(date.rfc3339(), expected, "{input}");
        }
    }

    #[test]
    fn rejects_nonsense_with_the_expected_forms() {
        let error = "14/03/2026".parse::<Date>().unwrap_err();
        assert!(error.contains("YYYY-MM-DD"), "{error}");
        assert!("2026-02-30".parse::<Date>().is_err());
    }

    #[test]
    fn offsets_order_by_instant() {
        let paris: Date = "2026-03-14T09:30:00+01:00".parse().unwrap();
        let utc: Date = "2026-03-14T09:00:00Z".parse().unwrap();
        assert!(paris < utc);
    }

    #[test]
    fn formats_in_the_authors_offset() {
        let date: Date = "2026-03-14T09:30:00+02:00".parse().unwrap();
        assert_eq!(
            date.format("%B %-d, %Y %H:%M").unwrap(),
            "March 14, 2026 09:30"
        );
    }
}
