//! Where the index's cold columns go when the index would exceed its memory budget: a
//! [`ColdStore`] is a byte file written once per spilled chunk and read back at the offsets it
//! was written to. The page backs it with a file in the Origin Private File System
//! (`crate::web::opfs_cold_store`); native code and tests use [`FileColdStore`] or
//! [`MemoryColdStore`].

use std::io;

/// `Send` on native targets (an [`crate::pipeline::Indexer`] may move between threads there);
/// nothing on wasm32, whose browser handles are not `Send` and where there is one thread.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
/// `Send` on native targets (an [`crate::pipeline::Indexer`] may move between threads there);
/// nothing on wasm32, whose browser handles are not `Send` and where there is one thread.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// A random-access byte store for spilled index chunks. Every read asks for bytes that an earlier
/// successful write stored; a short read is an error.
pub trait ColdStore: MaybeSend {
    /// Stores `bytes` at `offset` (the store grows as needed).
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()>;
    /// Fills `buf` with the bytes stored at `offset`.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

/// A store in a growable buffer (tests, and hosts with memory to spare but a small budget).
#[derive(Debug, Default)]
pub struct MemoryColdStore {
    bytes: Vec<u8>,
}

impl MemoryColdStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes stored so far (the highest offset written + its length).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

fn out_of_range(offset: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("cold store offset {offset} out of range"),
    )
}

impl ColdStore for MemoryColdStore {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| out_of_range(offset))?;
        let end = start
            .checked_add(bytes.len())
            .ok_or_else(|| out_of_range(offset))?;
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        if let Some(dst) = self.bytes.get_mut(start..end) {
            dst.copy_from_slice(bytes);
        }
        Ok(())
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let src = usize::try_from(offset)
            .ok()
            .and_then(|start| self.bytes.get(start..start.checked_add(buf.len())?))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("cold store has no {} bytes at {offset}", buf.len()),
                )
            })?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// A store in a file (native): the CLI and tests spill here.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct FileColdStore {
    file: std::fs::File,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileColdStore {
    /// A store writing to `file` (opened for reading and writing; its earlier content is ignored
    /// and overwritten as chunks are spilled).
    pub fn new(file: std::fs::File) -> Self {
        Self { file }
    }

    /// A store in a new anonymous temporary file in `dir`, removed when the store is dropped
    /// (on Unix the file is unlinked at once and lives on through its open descriptor).
    pub fn create_in(dir: &std::path::Path) -> io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = dir.join(format!(
            "tracematch-cold-{}-{nanos}.bin",
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // Best effort: where unlinking an open file is refused, the file stays behind.
        let _ = std::fs::remove_file(&path);
        Ok(Self { file })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ColdStore for FileColdStore {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        use std::io::{Seek, SeekFrom, Write};
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.write_all(bytes)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_reads_back_what_was_written_and_refuses_the_rest() {
        let mut s = MemoryColdStore::new();
        s.write_at(4, b"abcd").unwrap();
        s.write_at(0, b"0123").unwrap();
        let mut buf = [0u8; 8];
        s.read_at(0, &mut buf).unwrap();
        assert_eq!(&buf, b"0123abcd");
        assert!(s.read_at(6, &mut buf).is_err());
        assert!(s.read_at(u64::MAX, &mut buf).is_err());
        assert!(s.write_at(u64::MAX, b"x").is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn file_store_reads_back_what_was_written() {
        let mut s = FileColdStore::create_in(&std::env::temp_dir()).unwrap();
        s.write_at(0, &[1, 2, 3]).unwrap();
        s.write_at(3, &[4, 5]).unwrap();
        let mut buf = [0u8; 4];
        s.read_at(1, &mut buf).unwrap();
        assert_eq!(buf, [2, 3, 4, 5]);
        assert!(s.read_at(4, &mut buf).is_err());
    }
}
