//! Epoch times for session results: kept in nanoseconds, written as seconds with exactly nine
//! decimals, in text and in JSON. An `f64` cannot hold today's epoch times to the nanosecond
//! (1,700,000,000.25 s is stored as 1700000000.2499998), so the JSON number is written from the
//! integer nanoseconds instead of from a float.

use std::fmt;

use serde::{Serialize, Serializer};

/// Nanoseconds since the epoch that print as seconds with nine decimals (`1700000000.250000000`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochSeconds(pub i64);

impl EpochSeconds {
    /// Seconds as a float (for arithmetic that tolerates rounding).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

impl fmt::Display for EpochSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(
            f,
            "{sign}{}.{:09}",
            abs / 1_000_000_000,
            abs % 1_000_000_000
        )
    }
}

impl Serialize for EpochSeconds {
    /// A JSON number with nine decimals (through `serde_json`'s raw values; other serializers get
    /// the float).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::value::RawValue::from_string(self.to_string()) {
            Ok(raw) => raw.serialize(serializer),
            Err(_) => serializer.serialize_f64(self.as_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_nine_decimals_exactly() {
        assert_eq!(
            EpochSeconds(1_700_000_000_250_000_000).to_string(),
            "1700000000.250000000"
        );
        assert_eq!(EpochSeconds(1).to_string(), "0.000000001");
        assert_eq!(EpochSeconds(0).to_string(), "0.000000000");
        assert_eq!(EpochSeconds(-1_500_000_000).to_string(), "-1.500000000");
        assert_eq!(EpochSeconds(i64::MIN).to_string(), "-9223372036.854775808");
    }

    #[test]
    fn json_numbers_keep_every_digit() {
        #[derive(Serialize)]
        struct T {
            t: EpochSeconds,
            u: Option<EpochSeconds>,
        }
        let text = serde_json::to_string(&T {
            t: EpochSeconds(1_700_000_000_249_999_999),
            u: None,
        })
        .unwrap();
        assert_eq!(text, r#"{"t":1700000000.249999999,"u":null}"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(back["t"].is_f64());
    }
}
