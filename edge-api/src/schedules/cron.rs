//! Cron expressions as schedules take them: five fields (minute, hour, day
//! of month, month, day of week), evaluated in UTC by `croner`, with the
//! presets the editor offers. Day of month and day of week together match
//! either (as Vixie cron and Pelican do).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use croner::{
    Cron,
    parser::{CronParser, Seconds, Year},
};

/// The presets the editor offers: (name, expression).
pub const PRESETS: &[(&str, &str)] = &[
    ("every minute", "* * * * *"),
    ("every 5 minutes", "*/5 * * * *"),
    ("every 15 minutes", "*/15 * * * *"),
    ("every hour", "0 * * * *"),
    ("every 6 hours", "0 */6 * * *"),
    ("every day at 04:00", "0 4 * * *"),
    ("every Monday at 04:00", "0 4 * * 1"),
    ("the first of every month at 04:00", "0 4 1 * *"),
];

/// A checked expression.
#[derive(Debug, Clone)]
pub struct Expression {
    text: String,
    cron: Cron,
}

impl Expression {
    /// Parses five space-separated fields, or says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.split(' ').count() != 5 {
            return Err(
                "must have five fields: minute hour day-of-month month day-of-week, e.g. 0 4 * * *"
                    .into(),
            );
        }
        if text.len() > 120 {
            return Err("must be at most 120 characters".into());
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser
            .parse(&text)
            .map_err(|e| format!("is not a cron expression ({e})"))?;
        // An expression that never matches (31 February) has no next run.
        let expression = Expression { text, cron };
        if expression.next_after(0).is_none() {
            return Err("never matches".into());
        }
        Ok(expression)
    }

    /// The normalized text (fields separated by one space).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first matching minute strictly after `after_ms`, in ms.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let after = DateTime::<Utc>::from_timestamp_millis(after_ms)?;
        self.cron
            .find_next_occurrence(&after, false)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// An English description, e.g. "At 04:00".
    pub fn describe(&self) -> String {
        self.cron.describe()
    }
}

impl FromStr for Expression {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expression::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::clock::{parse_rfc3339, rfc3339};

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap_or_default()
    }

    #[test]
    fn next_runs_are_in_utc() {
        let daily = Expression::parse("0 4 * * *").map_err(|e| e.to_string());
        let daily = daily.as_ref().ok();
        let next = daily.and_then(|d| d.next_after(at("2026-12-01T04:00:00Z")));
        assert_eq!(
            next.map(rfc3339).as_deref(),
            Some("2026-12-02T04:00:00.000Z")
        );
        let minute = Expression::parse(" *  * * * * ").ok();
        assert_eq!(minute.as_ref().map(Expression::as_str), Some("* * * * *"));
        let next = minute.and_then(|m| m.next_after(at("2026-12-01T10:00:30Z")));
        assert_eq!(
            next.map(rfc3339).as_deref(),
            Some("2026-12-01T10:01:00.000Z")
        );
    }

    #[test]
    fn only_five_fields_that_can_match_pass() {
        for bad in [
            "",
            "* * * *",
            "0 * * * * *",
            "61 * * * *",
            "0 4 31 2 *",
            "nope",
        ] {
            assert!(Expression::parse(bad).is_err(), "{bad:?}");
        }
        for (_, preset) in PRESETS {
            assert!(Expression::parse(preset).is_ok(), "{preset}");
        }
    }
}
