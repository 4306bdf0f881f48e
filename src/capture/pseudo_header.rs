//! Link-layer pseudo-headers that wiretap strips from the front of packet data for a few link
//! types (its `pcap_process_pseudo_header`, used for classic pcap and pcapng alike): tshark's
//! `frame.cap_len` and `frame.len` exclude them and dissection starts after them. Lengths and
//! checks below were confirmed with tshark 4.0.17 on generated files.
//!
//! Not handled: ERF (197), whose pseudo-header has a variable length; its records are delivered
//! whole.

/// Result of looking at a record's leading bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PseudoHeader {
    /// Nothing to strip for this link type.
    None,
    /// Strip this many bytes.
    Strip(usize),
    /// The record cannot be right (wiretap stops reading: "damaged").
    Invalid(&'static str),
}

/// What wiretap strips for `linktype`, given the record's captured bytes.
pub(crate) fn pseudo_header(linktype: u32, data: &[u8]) -> PseudoHeader {
    let (len, too_small, protocol_check): (usize, &'static str, Option<(u16, &'static str)>) =
        match linktype {
            // LINKTYPE_SUNATM
            123 => (4, "SunATM record too small for its ATM pseudo-header", None),
            // LINKTYPE_MTP2_WITH_PHDR
            139 => (4, "MTP2 record too small for its pseudo-header", None),
            // LINKTYPE_IRDA: a Linux "cooked" header whose protocol must be ETH_P_IRDA_LAP.
            144 => (
                16,
                "IrDA record too small for its pseudo-header",
                Some((0x0017, "IrDA record with an invalid sll_protocol field")),
            ),
            // LINKTYPE_LINUX_LAPD: protocol must be ETH_P_LAPD.
            177 => (
                16,
                "LAPD record too small for its pseudo-header",
                Some((0x0030, "LAPD record with an invalid sll_protocol field")),
            ),
            // LINKTYPE_SITA
            196 => (5, "SITA record too small for its pseudo-header", None),
            // LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR
            201 => (4, "Bluetooth record too small for its pseudo-header", None),
            // LINKTYPE_PPP_WITH_DIR
            204 => (1, "PPP record too small for its pseudo-header", None),
            // LINKTYPE_I2C_LINUX
            209 => (5, "I2C record too small for its pseudo-header", None),
            // LINKTYPE_NFC_LLCP
            245 => (2, "NFC LLCP record too small for its pseudo-header", None),
            // LINKTYPE_BLUETOOTH_LINUX_MONITOR
            254 => (
                4,
                "Bluetooth monitor record too small for its pseudo-header",
                None,
            ),
            _ => return PseudoHeader::None,
        };
    let Some(header) = data.get(..len) else {
        return PseudoHeader::Invalid(too_small);
    };
    if let Some((want, message)) = protocol_check {
        let protocol = header.get(14..16).map(|b| u16::from_be_bytes([b[0], b[1]]));
        if protocol != Some(want) {
            return PseudoHeader::Invalid(message);
        }
    }
    PseudoHeader::Strip(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_lengths_and_checks() {
        let data = [0u8; 40];
        assert_eq!(pseudo_header(1, &data), PseudoHeader::None);
        assert_eq!(pseudo_header(123, &data), PseudoHeader::Strip(4));
        assert_eq!(pseudo_header(204, &data[..1]), PseudoHeader::Strip(1));
        assert!(matches!(pseudo_header(204, &[]), PseudoHeader::Invalid(_)));
        assert!(matches!(
            pseudo_header(123, &data[..2]),
            PseudoHeader::Invalid(_)
        ));
        // IrDA / LAPD: the cooked header's protocol field is checked.
        assert!(matches!(
            pseudo_header(144, &data),
            PseudoHeader::Invalid(_)
        ));
        let mut irda = data;
        irda[15] = 0x17;
        assert_eq!(pseudo_header(144, &irda), PseudoHeader::Strip(16));
        let mut lapd = data;
        lapd[15] = 0x30;
        assert_eq!(pseudo_header(177, &lapd), PseudoHeader::Strip(16));
    }
}
