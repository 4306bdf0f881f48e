//! Value formats tshark uses in `-T fields` output: times with 9 decimals, MAC addresses, hex.

use std::fmt::Write;

/// Appends `ns` nanoseconds as seconds with 9 decimals (`-0.000039000` for negatives).
pub(crate) fn seconds(out: &mut String, ns: i64) {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    let _ = write!(
        out,
        "{sign}{}.{:09}",
        abs / 1_000_000_000,
        abs % 1_000_000_000
    );
}

/// Appends a MAC address as `aa:bb:cc:dd:ee:ff`.
pub(crate) fn mac(out: &mut String, m: &[u8; 6]) {
    let _ = write!(
        out,
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_have_nine_decimals_and_a_sign() {
        let mut s = String::new();
        seconds(&mut s, 1_429_000_030_398_627_000);
        assert_eq!(s, "1429000030.398627000");
        s.clear();
        seconds(&mut s, -39_000);
        assert_eq!(s, "-0.000039000");
        s.clear();
        seconds(&mut s, 0);
        assert_eq!(s, "0.000000000");
    }

    #[test]
    fn mac_is_lower_case_colon_separated() {
        let mut s = String::new();
        mac(&mut s, &[0x00, 0x11, 0xAB, 0x33, 0x44, 0xff]);
        assert_eq!(s, "00:11:ab:33:44:ff");
    }
}
