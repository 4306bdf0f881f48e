//! pcapng option lists: a checked, allocation-free iterator over (code, value) pairs, strict in the
//! way wiretap is (an option running past its block is damage, not something to skip silently).

/// `opt_endofopt`.
pub(crate) const OPT_END: u16 = 0;
/// `opt_comment`.
pub(crate) const OPT_COMMENT: u16 = 1;

/// Why an option list is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OptionError(pub String);

/// Iterates the options in `data` (the option area of one block, in the section's byte order).
pub(crate) struct OptionIter<'a> {
    data: &'a [u8],
    pos: usize,
    big_endian: bool,
    done: bool,
}

impl<'a> OptionIter<'a> {
    /// Options found in `data`.
    pub fn new(data: &'a [u8], big_endian: bool) -> Self {
        OptionIter {
            data,
            pos: 0,
            big_endian,
            done: false,
        }
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b = self.data.get(at..at.checked_add(2)?)?;
        Some(if self.big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    }
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<(u16, &'a [u8]), OptionError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let remaining = self.data.len().saturating_sub(self.pos);
        if remaining == 0 {
            self.done = true;
            return None;
        }
        if remaining < 4 {
            self.done = true;
            return Some(Err(OptionError(format!(
                "{remaining} bytes left, too few for an option header"
            ))));
        }
        let (Some(code), Some(len)) = (self.u16_at(self.pos), self.u16_at(self.pos + 2)) else {
            self.done = true;
            return None;
        };
        if code == OPT_END {
            self.done = true;
            return None;
        }
        let start = self.pos + 4;
        let padded = (usize::from(len) + 3) & !3;
        if padded > remaining - 4 {
            self.done = true;
            return Some(Err(OptionError(format!(
                "not enough data for option {code} of length {len}"
            ))));
        }
        self.pos = start + padded;
        let value = self
            .data
            .get(start..start + usize::from(len))
            .unwrap_or_default();
        Some(Ok((code, value)))
    }
}

/// Reads a u64 option value in the section's byte order.
pub(crate) fn opt_u64(value: &[u8], big_endian: bool) -> Option<u64> {
    let b: [u8; 8] = value.try_into().ok()?;
    Some(if big_endian {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_and_stops_at_end_marker() {
        let mut d = Vec::new();
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&5u16.to_le_bytes());
        d.extend_from_slice(b"hello\0\0\0");
        d.extend_from_slice(&9u16.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&[9, 0, 0, 0]);
        d.extend_from_slice(&[0, 0, 0, 0]);
        d.extend_from_slice(b"junk after the end");
        let got: Vec<_> = OptionIter::new(&d, false).collect();
        assert_eq!(got, vec![Ok((1, &b"hello"[..])), Ok((9, &[9u8][..]))]);
    }

    #[test]
    fn too_long_option_is_an_error() {
        // libpcap__shb-option-too-long.pcapng: option 0x3030 of length 12336 in 20 bytes.
        let d = [0x30u8; 24];
        let got: Vec<_> = OptionIter::new(&d, false).collect();
        assert_eq!(got.len(), 1);
        let err = got[0].clone().unwrap_err();
        assert!(err.0.contains("length 12336"), "{err:?}");
    }

    #[test]
    fn big_endian_and_short_tail() {
        let d = [0u8, 2, 0, 2, b'a', b'b', 0, 0, 7];
        let got: Vec<_> = OptionIter::new(&d, true).collect();
        assert_eq!(got[0], Ok((2, &b"ab"[..])));
        assert!(got[1].is_err());
        assert_eq!(opt_u64(&5u64.to_be_bytes(), true), Some(5));
        assert_eq!(opt_u64(&[1, 2], false), None);
    }
}
