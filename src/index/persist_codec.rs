//! Little-endian primitives of the saved-index format ([`super::persist`]): a growing writer and a
//! bounds-checked reader whose every read fails with [`PersistError`] instead of panicking.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a saved index cannot be written or read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersistError {
    /// The bytes do not start with the saved-index magic.
    NotAnIndex,
    /// Saved by another version of the format.
    WrongVersion {
        /// Version in the data.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The data ends before the length its header announces (or before a field).
    Truncated,
    /// The payload's checksum does not match: the data was damaged.
    ChecksumMismatch,
    /// The payload parses badly although its checksum matched (a field out of range).
    Corrupt(String),
    /// This index cannot be saved (cancelled, damaged or compressed input).
    NotSavable(String),
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersistError::NotAnIndex => write!(f, "not a saved tracematch index"),
            PersistError::WrongVersion { found, expected } => write!(
                f,
                "saved index has format version {found}, this build reads version {expected}"
            ),
            PersistError::Truncated => write!(f, "saved index is truncated"),
            PersistError::ChecksumMismatch => {
                write!(f, "saved index is corrupt (checksum mismatch)")
            }
            PersistError::Corrupt(what) => write!(f, "saved index is corrupt: {what}"),
            PersistError::NotSavable(why) => write!(f, "index cannot be saved: {why}"),
        }
    }
}

impl std::error::Error for PersistError {}

/// Appends little-endian fields to a byte buffer.
#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    /// Writes one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    /// Writes a boolean as one byte (0 or 1).
    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    /// Writes a little-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Writes a little-endian u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Writes a little-endian u64.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Writes a little-endian i64.
    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A length or count.
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// Writes a UTF-8 string with its length.
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    /// Writes an optional string (presence byte, then the string).
    pub fn opt_str(&mut self, s: Option<&str>) {
        self.bool(s.is_some());
        if let Some(s) = s {
            self.str(s);
        }
    }
    /// Writes a list of strings.
    pub fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
    /// Writes an optional i64 (presence byte, then 8 bytes).
    pub fn opt_i64(&mut self, v: Option<i64>) {
        self.bool(v.is_some());
        self.i64(v.unwrap_or(0));
    }
    /// Writes an optional u32 (presence byte, then 4 bytes).
    pub fn opt_u32(&mut self, v: Option<u32>) {
        self.bool(v.is_some());
        self.u32(v.unwrap_or(0));
    }
    /// Writes an IP address (family tag 4 or 6, then its octets).
    pub fn ip(&mut self, a: IpAddr) {
        match a {
            IpAddr::V4(a) => {
                self.u8(4);
                self.buf.extend_from_slice(&a.octets());
            }
            IpAddr::V6(a) => {
                self.u8(6);
                self.buf.extend_from_slice(&a.octets());
            }
        }
    }
}

/// Reads little-endian fields from a byte slice; every read is bounds-checked.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Reads the next `n` bytes as a slice.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], PersistError> {
        self.take(n)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PersistError> {
        let end = self.pos.checked_add(n).ok_or(PersistError::Truncated)?;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or(PersistError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PersistError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, PersistError> {
        Ok(self.array::<1>()?[0])
    }
    /// Reads a boolean as one byte (0 or 1).
    pub fn bool(&mut self) -> Result<bool, PersistError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(PersistError::Corrupt(format!("boolean byte {v}"))),
        }
    }
    /// Reads a little-endian u16.
    pub fn u16(&mut self) -> Result<u16, PersistError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// Reads a little-endian u32.
    pub fn u32(&mut self) -> Result<u32, PersistError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// Reads a little-endian u64.
    pub fn u64(&mut self) -> Result<u64, PersistError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// Reads a little-endian i64.
    pub fn i64(&mut self) -> Result<i64, PersistError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count of elements each at least `min_elem_bytes` long: refused when the rest of the data
    /// cannot hold that many, so a damaged count never causes a huge allocation.
    pub fn count(&mut self, min_elem_bytes: usize) -> Result<usize, PersistError> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| PersistError::Truncated)?;
        if n.saturating_mul(min_elem_bytes.max(1)) > self.remaining() {
            return Err(PersistError::Truncated);
        }
        Ok(n)
    }

    /// Reads a UTF-8 string with its length.
    pub fn str(&mut self) -> Result<String, PersistError> {
        let n = self.count(1)?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| PersistError::Corrupt("text is not UTF-8".to_string()))
    }
    /// Reads an optional string (presence byte, then the string).
    pub fn opt_str(&mut self) -> Result<Option<String>, PersistError> {
        Ok(if self.bool()? {
            Some(self.str()?)
        } else {
            None
        })
    }
    /// Reads a list of strings.
    pub fn strs(&mut self) -> Result<Vec<String>, PersistError> {
        let n = self.count(8)?;
        (0..n).map(|_| self.str()).collect()
    }
    /// Reads an optional i64 (presence byte, then 8 bytes).
    pub fn opt_i64(&mut self) -> Result<Option<i64>, PersistError> {
        let some = self.bool()?;
        let v = self.i64()?;
        Ok(some.then_some(v))
    }
    /// Reads an optional u32 (presence byte, then 4 bytes).
    pub fn opt_u32(&mut self) -> Result<Option<u32>, PersistError> {
        let some = self.bool()?;
        let v = self.u32()?;
        Ok(some.then_some(v))
    }
    /// Reads an IP address (family tag 4 or 6, then its octets).
    pub fn ip(&mut self) -> Result<IpAddr, PersistError> {
        match self.u8()? {
            4 => Ok(IpAddr::V4(Ipv4Addr::from(self.array::<4>()?))),
            6 => Ok(IpAddr::V6(Ipv6Addr::from(self.array::<16>()?))),
            v => Err(PersistError::Corrupt(format!("address family tag {v}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_short_data_is_an_error() {
        let mut w = Writer::default();
        w.u16(0xbeef);
        w.i64(-5);
        w.opt_str(Some("é"));
        w.ip(IpAddr::V6(Ipv6Addr::LOCALHOST));
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.u16(), Ok(0xbeef));
        assert_eq!(r.i64(), Ok(-5));
        assert_eq!(r.opt_str(), Ok(Some("é".to_string())));
        assert_eq!(r.ip(), Ok(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        assert_eq!(r.u8(), Err(PersistError::Truncated));
    }

    #[test]
    fn huge_count_is_refused_before_allocating() {
        let mut w = Writer::default();
        w.u64(u64::MAX / 2);
        assert_eq!(Reader::new(&w.buf).count(1), Err(PersistError::Truncated));
    }
}
