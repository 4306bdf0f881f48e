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
/// [`crate::capture::FrameMeta::offset`]) from `source`, the capture file as given, through the
/// reader's gzip index when the capture is compressed.
pub fn read_packet(
    reader: &crate::capture::CaptureReader,
    offset: u64,
    caplen: u32,
    source: &mut dyn ByteSource,
) -> std::io::Result<Vec<u8>> {
    read_packet_bytes(source, reader.gzip_index(), offset, caplen)
}

/// Reads exactly `buf.len()` bytes at `offset` of the capture stream: straight from `source` for
/// a plain capture, through `gzip` (re-inflating from the nearest checkpoint) for a compressed one.
/// A short read is an `UnexpectedEof` error.
pub fn read_stream_exact(
    source: &mut dyn ByteSource,
    gzip: Option<&super::gzip_index::GzipIndex>,
    offset: u64,
    buf: &mut [u8],
) -> std::io::Result<()> {
    let n = match gzip {
        Some(index) => index.read_at(offset, buf, source)?,
        None => source.read_at(offset, buf)?,
    };
    if n < buf.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!(
                "capture ends after {n} of {} bytes at offset {offset}",
                buf.len()
            ),
        ));
    }
    Ok(())
}

/// The bytes of one packet, located by its [`crate::capture::FrameMeta`] `offset` and `caplen`.
pub fn read_packet_bytes(
    source: &mut dyn ByteSource,
    gzip: Option<&super::gzip_index::GzipIndex>,
    offset: u64,
    caplen: u32,
) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0u8; caplen as usize];
    read_stream_exact(source, gzip, offset, &mut bytes)?;
    Ok(bytes)
}

/// A capture opened for reading packet bytes back: the source plus its gzip index, if any.
pub struct PacketBytes<'a> {
    source: &'a mut dyn ByteSource,
    gzip: Option<&'a super::gzip_index::GzipIndex>,
}

impl<'a> PacketBytes<'a> {
    /// Reads packets from `source`, through `gzip` when the capture is compressed.
    pub fn new(
        source: &'a mut dyn ByteSource,
        gzip: Option<&'a super::gzip_index::GzipIndex>,
    ) -> Self {
        PacketBytes { source, gzip }
    }

    /// The bytes of the packet at `offset` (decompressed-stream offset for gzip) of `caplen` bytes.
    pub fn read(&mut self, offset: u64, caplen: u32) -> std::io::Result<Vec<u8>> {
        read_packet_bytes(self.source, self.gzip, offset, caplen)
    }

    /// Fills `buf` with the stream bytes at `offset`.
    pub fn read_into(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        read_stream_exact(self.source, self.gzip, offset, buf)
    }
}
