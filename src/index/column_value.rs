//! Fixed-width index column elements and their little-endian byte form, shared by the saved index
//! ([`super::persist`]) and the cold columns spilled to a [`super::ColdStore`].

/// A fixed-width column element.
pub trait ColumnValue: Copy {
    /// Bytes of one element.
    const BYTES: usize;
    /// Appends the little-endian bytes of `self`.
    fn put_le(self, out: &mut Vec<u8>);
    /// Decodes one element from exactly [`Self::BYTES`] bytes.
    fn from_le_slice(bytes: &[u8]) -> Self;
}

macro_rules! column_value {
    ($t:ty, $n:expr) => {
        impl ColumnValue for $t {
            const BYTES: usize = $n;
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn from_le_slice(bytes: &[u8]) -> Self {
                let mut a = [0u8; $n];
                if let Some(src) = bytes.get(..$n) {
                    a.copy_from_slice(src);
                }
                <$t>::from_le_bytes(a)
            }
        }
    };
}

column_value!(u16, 2);
column_value!(u32, 4);
column_value!(u64, 8);
column_value!(i64, 8);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_their_bytes() {
        let mut out = Vec::new();
        0x1234u16.put_le(&mut out);
        (-5i64).put_le(&mut out);
        assert_eq!(out.len(), 10);
        assert_eq!(<u16 as ColumnValue>::from_le_slice(&out[..2]), 0x1234);
        assert_eq!(<i64 as ColumnValue>::from_le_slice(&out[2..]), -5);
    }
}
