//! The classic-pcap link types Wireshark 4.0 can open. wiretap refuses a pcap file whose header
//! names any other link type ("network type N unknown or unsupported"), so tshark shows no frames;
//! the reader does the same. pcapng files are not affected (tshark 4.0 reads their packets with an
//! unknown encapsulation).
//!
//! The list was measured, not copied: `capinfos` 4.0.17 was run on 1024 generated one-packet
//! files with link types 0..=1023; these are the ones it did not reject as unknown.

/// Inclusive ranges of LINKTYPE_* values tshark 4.0 knows.
const KNOWN: &[(u16, u16)] = &[
    (0, 3),
    (6, 14),
    (16, 16),
    (18, 19),
    (32, 32),
    (50, 51),
    (99, 101),
    (104, 109),
    (112, 114),
    (117, 119),
    (121, 123),
    (127, 131),
    (133, 133),
    (135, 144),
    (147, 163),
    (165, 165),
    (167, 167),
    (169, 173),
    (177, 181),
    (183, 184),
    (186, 190),
    (192, 192),
    (195, 197),
    (199, 204),
    (209, 215),
    (220, 220),
    (224, 231),
    (235, 237),
    (239, 243),
    (245, 245),
    (248, 256),
    (258, 260),
    (264, 264),
    (266, 266),
    (268, 268),
    (270, 276),
    (279, 280),
    (283, 283),
    (287, 288),
    (290, 290),
    (292, 295),
];

/// True when tshark 4.0 opens classic pcap files of this link type (the low 16 bits of the
/// header's link-type field).
pub(crate) fn is_known_pcap_linktype(linktype: u32) -> bool {
    let Ok(lt) = u16::try_from(linktype) else {
        return false;
    };
    let i = KNOWN.partition_point(|&(_, hi)| hi < lt);
    KNOWN.get(i).is_some_and(|&(lo, hi)| lo <= lt && lt <= hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_and_edge_link_types() {
        // Every link type in the shared corpus's classic pcap files.
        for lt in [0u32, 1, 9, 101, 104, 105, 113, 127, 228, 229, 276] {
            assert!(is_known_pcap_linktype(lt), "{lt}");
        }
        // Rejected by capinfos 4.0.17 ("unknown or unsupported").
        for lt in [4u32, 5, 15, 17, 20, 102, 296, 1023, 60000, 0x1_0001] {
            assert!(!is_known_pcap_linktype(lt), "{lt}");
        }
        assert!(KNOWN.windows(2).all(|w| w[0].1 < w[1].0));
        assert_eq!(
            KNOWN
                .iter()
                .map(|&(a, b)| u32::from(b - a) + 1)
                .sum::<u32>(),
            156
        );
    }
}
