//! Reading packet bytes back from the capture on demand (plain files, and gzip through checkpoints).
//!
//! The index keeps only where each packet is ([`crate::capture::FrameMeta::offset`], `caplen`);
//! views read the bytes again through a [`ByteSource`]: a file natively, a `File` (Blob) in the
//! browser's worker, or memory in tests.

/// Random-access reads of the capture file *as given* (compressed bytes for gzip captures).
pub trait ByteSource {
    /// Total length of the input in bytes.
    fn len(&self) -> u64;
    /// True when the input is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (short at the end).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
}

impl ByteSource for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ByteSource for std::fs::File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::{Read, Seek, SeekFrom};
        self.seek(SeekFrom::Start(offset))?;
        let mut done = 0;
        while done < buf.len() {
            let n = self.read(&mut buf[done..])?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }
}

/// Reads `caplen` packet bytes at `offset` (an offset in the decompressed stream, as in
/// [`crate::capture::FrameMeta::offset`]) from `source`, the capture file as given.
pub fn read_packet(
    reader: &crate::capture::CaptureReader,
    offset: u64,
    caplen: u32,
    source: &mut dyn ByteSource,
) -> std::io::Result<Vec<u8>> {
    if reader.info().gzip {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "random access into gzip captures is not available yet",
        ));
    }
    let mut buf = vec![0u8; caplen as usize];
    let n = source.read_at(offset, &mut buf)?;
    if n != buf.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("capture file ends before the packet at offset {offset}"),
        ));
    }
    Ok(buf)
}
