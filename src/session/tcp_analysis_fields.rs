//! `tcp.analysis.*`, relative `tcp.seq` / `tcp.ack` and `tcp.window_size` values as `tshark -T fields`
//! prints them: one value per occurrence, occurrences of all TCP layers of a frame comma-joined,
//! outermost first. Flags print `1`; `tcp.analysis.duplicate_ack` occurs twice per layer (the flag
//! item and its expert item) and so prints `1,1`; times print as seconds with 9 decimals.

use super::tcp_analysis::{LayerAnalysis, TcpAnalyzer};

/// Field names this module formats (besides every `tcp.analysis.<flag>` name).
pub const TCP_ANALYSIS_FIELDS: [&str; 14] = [
    "tcp.seq",
    "tcp.ack",
    "tcp.nxtseq",
    "tcp.window_size",
    "tcp.analysis.flags",
    "tcp.analysis.acks_frame",
    "tcp.analysis.ack_rtt",
    "tcp.analysis.bytes_in_flight",
    "tcp.analysis.duplicate_ack_num",
    "tcp.analysis.duplicate_ack_frame",
    "tcp.analysis.rto",
    "tcp.analysis.rto_frame",
    "tcp.analysis.initial_rtt",
    "tcp.analysis.push_bytes_sent",
];

/// True when [`format_field`] knows `name`.
pub fn is_tcp_analysis_field(name: &str) -> bool {
    if TCP_ANALYSIS_FIELDS.contains(&name) && name != "tcp.analysis.push_bytes_sent" {
        return true;
    }
    name.strip_prefix("tcp.analysis.").is_some_and(|flag| {
        super::analysis_flags::FLAG_NAMES
            .iter()
            .any(|(n, _)| *n == flag)
    })
}

/// Formats a relative time in ns as tshark prints `FT_RELATIVE_TIME` fields: seconds with 9
/// decimals, a leading `-` when negative.
pub fn format_relative_time(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}

/// The value of field `name` for a frame whose TCP layers were analyzed into `layers`, or `None`
/// when the field does not occur in the frame (tshark prints an empty column). `analyzer` gives
/// per-stream values that tshark's second pass shows on every frame (`tcp.analysis.initial_rtt`):
/// pass the analyzer after the whole capture was read to match `tshark -2`.
pub fn format_field(
    name: &str,
    layers: &[LayerAnalysis],
    analyzer: Option<&TcpAnalyzer>,
) -> Option<String> {
    let mut values: Vec<String> = Vec::new();
    for l in layers {
        let a = l.analysis.as_ref();
        match name {
            "tcp.seq" => values.push(a.map_or(l.raw_seq, |a| a.rel_seq).to_string()),
            "tcp.ack" => values.push(a.and_then(|a| a.rel_ack).unwrap_or(l.raw_ack).to_string()),
            // tshark 4.0 adds `tcp.nxtseq` to every analyzed segment (`th_have_seglen`): the
            // relative sequence number plus the payload length, plus one each for SYN and FIN.
            "tcp.nxtseq" => values.extend(a.map(|a| {
                let syn_fin =
                    u32::from(l.tcp_flags & 0x002 != 0) + u32::from(l.tcp_flags & 0x001 != 0);
                a.rel_seq
                    .wrapping_add(l.payload_len)
                    .wrapping_add(syn_fin)
                    .to_string()
            })),
            "tcp.window_size" => values.extend(a.map(|a| a.window_size.to_string())),
            "tcp.analysis.flags" => {
                values.extend(a.filter(|a| !a.flags.is_empty()).map(|_| "1".to_string()))
            }
            "tcp.analysis.acks_frame" => {
                values.extend(a.and_then(|a| a.acks_frame).map(|v| v.to_string()))
            }
            "tcp.analysis.ack_rtt" => values.extend(
                a.filter(|a| a.acks_frame.is_some())
                    .and_then(|a| a.ack_rtt_ns)
                    .map(format_relative_time),
            ),
            "tcp.analysis.bytes_in_flight" => {
                values.extend(a.and_then(|a| a.bytes_in_flight).map(|v| v.to_string()))
            }
            "tcp.analysis.duplicate_ack_num" => values.extend(
                a.filter(|a| a.dup_ack_num != 0 && !a.flags.is_empty())
                    .map(|a| a.dup_ack_num.to_string()),
            ),
            "tcp.analysis.duplicate_ack_frame" => values.extend(
                a.filter(|a| a.dup_ack_num != 0 && !a.flags.is_empty())
                    .map(|a| a.dup_ack_frame.to_string()),
            ),
            "tcp.analysis.rto" => values.extend(
                a.and_then(|a| a.rto_ns)
                    .filter(|&ns| ns != 0)
                    .map(format_relative_time),
            ),
            "tcp.analysis.rto_frame" => values.extend(
                a.filter(|a| a.rto_ns.is_some_and(|ns| ns != 0))
                    .and_then(|a| a.rto_frame)
                    .map(|v| v.to_string()),
            ),
            "tcp.analysis.initial_rtt" => values.extend(
                a.filter(|a| a.has_record)
                    .and_then(|a| analyzer.and_then(|z| z.initial_rtt_ns(a.stream)))
                    .map(format_relative_time),
            ),
            _ => {
                let flag = name.strip_prefix("tcp.analysis.")?;
                if let Some(a) = a {
                    if a.flags.reports(flag) {
                        values.push("1".to_string());
                        if flag == "duplicate_ack" {
                            values.push("1".to_string());
                        }
                    }
                }
            }
        }
    }
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::super::analysis_flags::AnalysisFlags;
    use super::super::tcp_analysis::TcpAnalysis;
    use super::*;

    fn layer(flags: AnalysisFlags) -> LayerAnalysis {
        LayerAnalysis {
            raw_seq: 1000,
            raw_ack: 7,
            tcp_flags: 0x010,
            raw_window: 100,
            payload_len: 0,
            analysis: Some(TcpAnalysis {
                flags,
                rel_seq: 1,
                rel_ack: Some(2),
                dup_ack_num: u32::from(flags.contains(AnalysisFlags::DUPLICATE_ACK)),
                ..TcpAnalysis::default()
            }),
        }
    }

    #[test]
    fn duplicate_ack_prints_twice_per_layer_and_layers_join() {
        let l = layer(AnalysisFlags::DUPLICATE_ACK);
        assert_eq!(
            format_field("tcp.analysis.duplicate_ack", &[l], None).as_deref(),
            Some("1,1")
        );
        assert_eq!(
            format_field("tcp.analysis.duplicate_ack", &[l, l], None).as_deref(),
            Some("1,1,1,1")
        );
        assert_eq!(
            format_field("tcp.analysis.duplicate_ack_num", &[l], None).as_deref(),
            Some("1")
        );
        let plain = layer(AnalysisFlags::empty());
        assert_eq!(
            format_field("tcp.analysis.duplicate_ack", &[plain], None),
            None
        );
        assert_eq!(format_field("tcp.analysis.flags", &[plain], None), None);
        assert_eq!(
            format_field("tcp.seq", &[plain, l], None).as_deref(),
            Some("1,1")
        );
    }

    #[test]
    fn unanalyzed_layer_prints_raw_numbers() {
        let mut l = layer(AnalysisFlags::empty());
        l.analysis = None;
        assert_eq!(format_field("tcp.seq", &[l], None).as_deref(), Some("1000"));
        assert_eq!(format_field("tcp.ack", &[l], None).as_deref(), Some("7"));
        assert_eq!(
            format_field("tcp.analysis.retransmission", &[l], None),
            None
        );
    }

    #[test]
    fn relative_times_have_nine_decimals() {
        assert_eq!(format_relative_time(1_500), "0.000001500");
        assert_eq!(format_relative_time(-2_000_000_001), "-2.000000001");
        assert_eq!(format_relative_time(0), "0.000000000");
    }

    #[test]
    fn field_name_recognition() {
        assert!(is_tcp_analysis_field("tcp.analysis.zero_window_probe_ack"));
        assert!(is_tcp_analysis_field("tcp.seq"));
        assert!(!is_tcp_analysis_field("tcp.analysis.bogus"));
        assert!(!is_tcp_analysis_field("tcp.srcport"));
    }
}
