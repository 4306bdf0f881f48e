//! Exact timestamp arithmetic: file time units → nanoseconds since the epoch, integer-only, with the
//! same truncation and wrap-around as Wireshark 4.0's wiretap so `frame.time_epoch` agrees digit for
//! digit (checked against tshark 4.0.17 on hand-made files, see the unit tests).

/// Nanoseconds per second.
pub(crate) const NS_PER_SEC: i64 = 1_000_000_000;

/// Combines wiretap's `(secs, nsecs)` pair into epoch nanoseconds (wrapping on absurd values, never
/// panicking; real captures are far inside the i64 range, 1678..2262).
#[inline]
pub(crate) fn combine(secs: i64, nsecs: i64) -> i64 {
    secs.wrapping_mul(NS_PER_SEC).wrapping_add(nsecs)
}

/// Classic pcap record time as (epoch ns, wiretap's nanosecond field). `ts_frac` is µs (or ns for
/// the nanosecond magic and AIX files). wiretap stores `ts_usec * 1000` (µs) or `ts_usec` (ns) in
/// a C `int` without normalising, so a fraction ≥ 1 s (damaged files) wraps exactly as there.
#[inline]
pub(crate) fn pcap_ts_ns(ts_sec: u32, ts_frac: u32, nanosecond: bool) -> (i64, i32) {
    let nsecs = if nanosecond {
        ts_frac as i32
    } else {
        ts_frac.wrapping_mul(1000) as i32
    };
    (combine(i64::from(ts_sec), i64::from(nsecs)), nsecs)
}

/// Units per second for a pcapng `if_tsresol` value: bit 7 clear → 10^-n, set → 2^-(n & 0x7f).
/// As wiretap 4.0: an exponent too large for 64 bits (10^20 and up, 2^64 and up) gives
/// `u64::MAX` units per second. Never 0.
pub(crate) fn units_per_second(if_tsresol: u8) -> u64 {
    let exponent = u32::from(if_tsresol & 0x7f);
    if if_tsresol & 0x80 != 0 {
        if exponent < 64 {
            1u64 << exponent
        } else {
            u64::MAX
        }
    } else if exponent < 20 {
        10u64.pow(exponent)
    } else {
        u64::MAX
    }
}

/// pcapng packet time: `ts` in `units` per second plus `if_tsoffset` seconds, as wiretap 4.0 computes
/// it: seconds = ts / units; nanoseconds = ((ts % units) * 10^9, wrapping in 64 bits) / units — so
/// resolutions finer than 1 ns truncate, and finer than ~10^-10 s wrap exactly as tshark shows them.
/// Returns (epoch ns, wiretap's nanosecond field).
#[inline]
pub(crate) fn pcapng_ts_ns(ts: u64, units: u64, offset_sec: i64) -> (i64, i32) {
    let units = units.max(1);
    let secs = (ts / units) as i64;
    let nsecs = ((ts % units).wrapping_mul(1_000_000_000) / units) as i32;
    (
        combine(secs.wrapping_add(offset_sec), i64::from(nsecs)),
        nsecs,
    )
}

/// `frame.time_epoch` exactly as tshark 4.0 prints it (9 decimals; empty when the record has no
/// timestamp). tshark prints wiretap's (seconds, nanoseconds) pair without normalising it, which
/// only shows on odd files: a nanosecond field ≥ 10^9 prints with more digits
/// ("5.1999999999"); a negative one prints as its absolute value with a leading "-"
/// ("-1409179648.083690296" for 1409179648 s − 83690296 ns); negative seconds from an
/// `if_tsoffset` print as they are ("-10.000005000" for −10 s + 5000 ns). All checked against
/// tshark 4.0.17.
pub fn format_time_epoch(meta: &super::FrameMeta) -> String {
    if !meta.has_timestamp {
        return String::new();
    }
    let mut nsecs = i64::from(meta.ts_frac_ns);
    if meta.ts_ns.wrapping_sub(nsecs) % NS_PER_SEC != 0 {
        // A FrameMeta not made by the reader (tests, rebuilt metas): ts_frac_ns does not describe
        // ts_ns, so print ts_ns itself, normalised.
        nsecs = meta.ts_ns.rem_euclid(NS_PER_SEC);
    }
    let secs = meta.ts_ns.wrapping_sub(nsecs) / NS_PER_SEC;
    if nsecs < 0 {
        let sign = if secs >= 0 { "-" } else { "" };
        format!("{sign}{secs}.{:09}", nsecs.unsigned_abs())
    } else {
        format!("{secs}.{nsecs:09}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats epoch ns the way tshark prints `frame.time_epoch` for non-negative times.
    fn epoch(ns: i64) -> String {
        format!("{}.{:09}", ns / NS_PER_SEC, ns % NS_PER_SEC)
    }

    #[test]
    fn pcap_microseconds_and_nanoseconds() {
        let us = pcap_ts_ns(1_335_958_313, 152_630, false);
        assert_eq!(
            (epoch(us.0), us.1),
            ("1335958313.152630000".to_string(), 152_630_000)
        );
        let ns = pcap_ts_ns(1_335_958_313, 152_630, true);
        assert_eq!(
            (epoch(ns.0), ns.1),
            ("1335958313.000152630".to_string(), 152_630)
        );
        assert_eq!(
            pcap_ts_ns(u32::MAX, 999_999, false).0,
            4_294_967_295_999_999_000
        );
    }

    #[test]
    fn pcap_fraction_overflow_wraps_like_wiretap() {
        // suricata-verify__fuzz.pcap frame 2: ts_usec = 4211277 → nsecs = (4211277000 as i32).
        let (ns, frac) = pcap_ts_ns(1_409_179_648, 4_211_277, false);
        assert_eq!(ns, 1_409_179_648 * NS_PER_SEC - 83_690_296);
        assert_eq!(frac, -83_690_296);
    }

    fn meta(t: (i64, i32)) -> crate::capture::FrameMeta {
        crate::capture::FrameMeta {
            ts_ns: t.0,
            ts_frac_ns: t.1,
            has_timestamp: true,
            ..Default::default()
        }
    }

    /// Expected strings printed by tshark 4.0.17 for generated files with these raw fields.
    #[test]
    fn time_epoch_printed_like_tshark() {
        let cases: &[((i64, i32), &str)] = &[
            (
                pcap_ts_ns(1_409_179_648, 4_211_277, false),
                "-1409179648.083690296",
            ),
            (pcap_ts_ns(5, 1_999_999_999, true), "5.1999999999"),
            (pcap_ts_ns(5, 1_000_000, false), "5.1000000000"),
            (pcap_ts_ns(5, 0x8000_0001, true), "-5.2147483647"),
            (pcap_ts_ns(0, u32::MAX, true), "-0.000000001"),
            (pcap_ts_ns(0, 1_000_000_005, true), "0.1000000005"),
            (pcapng_ts_ns(5000, 1_000_000_000, -10), "-10.000005000"),
            (
                pcapng_ts_ns(3_000_000_007, 1_000_000_000, -10),
                "-7.000000007",
            ),
            (
                pcapng_ts_ns(20_000_000_001, 1_000_000_000, -10),
                "10.000000001",
            ),
            (
                pcapng_ts_ns(1_700_000_000_123_456, 1_000_000, 0),
                "1700000000.123456000",
            ),
        ];
        for &(t, want) in cases {
            assert_eq!(format_time_epoch(&meta(t)), want, "{t:?}");
        }
        assert_eq!(format_time_epoch(&crate::capture::FrameMeta::default()), "");
    }

    #[test]
    fn tsresol_units() {
        assert_eq!(units_per_second(6), 1_000_000);
        assert_eq!(units_per_second(9), 1_000_000_000);
        assert_eq!(units_per_second(19), 10_000_000_000_000_000_000);
        assert_eq!(units_per_second(20), u64::MAX);
        assert_eq!(units_per_second(0x88), 256);
        assert_eq!(units_per_second(0xbf), 1 << 63);
        assert_eq!(units_per_second(0xc0), u64::MAX);
        assert_eq!(units_per_second(0), 1);
    }

    /// Expected strings were printed by tshark 4.0.17 for one-EPB files with these if_tsresol
    /// values and raw timestamps (generated by a throw-away script).
    #[test]
    fn pcapng_matches_tshark_4_0() {
        let cases: &[(u8, u64, &str)] = &[
            (6, 1_700_000_000_123_456, "1700000000.123456000"),
            (9, 1_234_567_890_123_456_789, "1234567890.123456789"),
            (10, 1_700_000_000_123_456, "170000.000012345"),
            (12, 1_700_000_000_123_456, "1700.000000123"),
            (12, 9_223_372_036_854_788_153, "9223372.018408044"),
            (12, u64::MAX, "18446744.018369319"),
            (15, 1_700_000_000_123_456, "1.000001402"),
            (19, u64::MAX, "1.000000001"),
            (20, u64::MAX, "1.000000000"),
            (0x88, 1, "0.003906250"),
            (0x9e, 1_700_000_000_123_456, "1583248.376961290"),
            (0xa0, u64::MAX, "4294967295.999999999"),
            (0xa8, u64::MAX, "16777215.010144255"),
            (0xbf, u64::MAX, "1.000000001"),
            (0xc0, u64::MAX, "1.000000000"),
        ];
        for &(resol, ts, want) in cases {
            let got = epoch(pcapng_ts_ns(ts, units_per_second(resol), 0).0);
            assert_eq!(got, want, "if_tsresol {resol:#x} ts {ts}");
        }
        // if_tsoffset is added to the seconds.
        assert_eq!(
            epoch(pcapng_ts_ns(1_700_000_000_123_456_789, units_per_second(9), -5).0),
            "1699999995.123456789"
        );
    }
}
