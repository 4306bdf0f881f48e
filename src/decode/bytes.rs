//! Bounds-checked big/little-endian reads on packet bytes (every read returns `None` past the end).

/// Reads a byte at `at`.
#[inline]
pub(crate) fn u8_at(data: &[u8], at: usize) -> Option<u8> {
    data.get(at).copied()
}

/// Reads a big-endian `u16` at `at`.
#[inline]
pub(crate) fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Reads a little-endian `u16` at `at`.
#[inline]
pub(crate) fn le16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// Reads a big-endian `u32` at `at`.
#[inline]
pub(crate) fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads a little-endian `u32` at `at`.
#[inline]
pub(crate) fn le32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads six bytes (a MAC address) at `at`.
#[inline]
pub(crate) fn mac_at(data: &[u8], at: usize) -> Option<[u8; 6]> {
    let b = data.get(at..at.checked_add(6)?)?;
    let mut m = [0u8; 6];
    m.copy_from_slice(b);
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let d = [1u8, 2, 3, 4, 5];
        assert_eq!(be16(&d, 0), Some(0x0102));
        assert_eq!(le16(&d, 0), Some(0x0201));
        assert_eq!(be32(&d, 1), Some(0x0203_0405));
        assert_eq!(le32(&d, 1), Some(0x0504_0302));
        assert_eq!(be16(&d, 4), None);
        assert_eq!(be32(&d, 2), None);
        assert_eq!(be16(&d, usize::MAX), None);
        assert_eq!(mac_at(&d, 0), None);
        assert_eq!(u8_at(&d, 5), None);
    }
}
