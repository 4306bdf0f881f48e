//! A chunked index column whose full chunks can move to a [`ColdStore`] ("spill") and are read
//! back through a small cache: the index's cold columns (file offsets, captured and wire lengths,
//! timestamps, interfaces), which the hot paths (stream frame lists, conversations) never scan.
//!
//! Chunks have [`CHUNK_LEN`] elements as in [`super::chunked_column`]; only full chunks spill, so
//! pushing (always into the last, resident chunk) costs what it did before. [`ColdChunks`] owns
//! the store, the next free offset and the read cache: at most [`CACHE_CHUNKS`] chunks of at most
//! `CHUNK_LEN × 8` bytes (16 × 512 KiB = 8 MiB).

use std::io;

use super::chunked_column::CHUNK_LEN;
use super::cold_store::ColdStore;
use super::column_value::ColumnValue;

/// Most chunks the read cache of spilled chunks keeps (least recently used goes first).
pub const CACHE_CHUNKS: usize = 16;

/// Largest bytes the read cache holds: [`CACHE_CHUNKS`] chunks of 8-byte elements.
pub const CACHE_BYTES: usize = CACHE_CHUNKS * CHUNK_LEN * 8;

/// One chunk: in memory, or stored at an offset of the cold store (full chunks only).
#[derive(Debug)]
enum Chunk<T> {
    Resident(Vec<T>),
    Cold { at: u64 },
}

/// Where a spilled element is: its chunk's offset in the store and its index in the chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColdPlace {
    at: u64,
    index: usize,
}

/// An element looked up in a [`SpillableColumn`]: its value, or where it was spilled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot<T> {
    /// The value (its chunk is in memory).
    Value(T),
    /// Its chunk was spilled: read it through [`ColdChunks::value`].
    Cold(ColdPlace),
}

/// A column of `T` in chunks of [`CHUNK_LEN`] elements, full ones possibly spilled.
#[derive(Debug)]
pub struct SpillableColumn<T> {
    chunks: Vec<Chunk<T>>,
    len: usize,
    cold_chunks: usize,
}

impl<T> Default for SpillableColumn<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
            cold_chunks: 0,
        }
    }
}

impl<T: ColumnValue> SpillableColumn<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends `value` (to the last chunk, which is always resident).
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(Chunk::Resident(last)) if last.len() < CHUNK_LEN => last.push(value),
            _ => {
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() {
                    16
                } else {
                    CHUNK_LEN
                });
                chunk.push(value);
                self.chunks.push(Chunk::Resident(chunk));
            }
        }
        self.len += 1;
    }

    /// The element at `i`, or where it was spilled; None past the end.
    pub fn get(&self, i: usize) -> Option<Slot<T>> {
        match self.chunks.get(i / CHUNK_LEN)? {
            Chunk::Resident(c) => c.get(i % CHUNK_LEN).copied().map(Slot::Value),
            Chunk::Cold { at } => (i < self.len).then_some(Slot::Cold(ColdPlace {
                at: *at,
                index: i % CHUNK_LEN,
            })),
        }
    }

    /// Full chunks still in memory (what [`SpillableColumn::spill_full_chunks`] would move).
    pub fn full_resident_chunks(&self) -> usize {
        (self.len / CHUNK_LEN).saturating_sub(self.cold_chunks)
    }

    /// Bytes of elements spilled (by length).
    pub fn spilled_bytes(&self) -> usize {
        self.cold_chunks
            .saturating_mul(CHUNK_LEN)
            .saturating_mul(T::BYTES)
    }

    /// Bytes reserved on the heap (resident chunks and the chunk list).
    pub fn heap_bytes(&self) -> usize {
        let elements: usize = self
            .chunks
            .iter()
            .map(|c| match c {
                Chunk::Resident(v) => v.capacity(),
                Chunk::Cold { .. } => 0,
            })
            .sum();
        elements * T::BYTES + self.chunks.capacity() * std::mem::size_of::<Chunk<T>>()
    }

    /// Moves every full resident chunk to `cold`, oldest first. A chunk whose write fails stays
    /// in memory (nothing is lost) and the error is returned.
    pub fn spill_full_chunks(&mut self, cold: &mut ColdChunks) -> io::Result<()> {
        let mut bytes = Vec::new();
        for chunk in self.chunks.iter_mut() {
            let Chunk::Resident(values) = chunk else {
                continue;
            };
            if values.len() < CHUNK_LEN {
                continue;
            }
            bytes.clear();
            bytes.reserve(CHUNK_LEN * T::BYTES);
            for &v in values.iter() {
                v.put_le(&mut bytes);
            }
            let at = cold.append(&bytes)?;
            *chunk = Chunk::Cold { at };
            self.cold_chunks += 1;
        }
        Ok(())
    }

    /// Calls `f` with every element in order, reading spilled chunks back from `cold` one at a
    /// time (one chunk of scratch memory, the cache untouched). An error when a read fails; `cold`
    /// may be None only when nothing was spilled.
    pub fn try_for_each(
        &self,
        mut cold: Option<&mut ColdChunks>,
        mut f: impl FnMut(T),
    ) -> io::Result<()> {
        let mut scratch = Vec::new();
        for chunk in &self.chunks {
            match chunk {
                Chunk::Resident(values) => values.iter().for_each(|&v| f(v)),
                Chunk::Cold { at } => {
                    let Some(cold) = cold.as_deref_mut() else {
                        return Err(no_store());
                    };
                    scratch.resize(CHUNK_LEN * T::BYTES, 0);
                    cold.store.read_at(*at, &mut scratch)?;
                    scratch
                        .chunks_exact(T::BYTES)
                        .for_each(|b| f(T::from_le_slice(b)));
                }
            }
        }
        Ok(())
    }
}

fn no_store() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "the cold store is gone")
}

/// A chunk read back, kept for the next lookups.
struct CachedChunk {
    at: u64,
    bytes: Vec<u8>,
}

/// The store of spilled chunks, where the next one goes, and the read cache.
pub struct ColdChunks {
    store: Box<dyn ColdStore>,
    end: u64,
    /// Most recently used last; at most [`CACHE_CHUNKS`].
    cache: Vec<CachedChunk>,
    /// The first read that failed (lookups then answer None).
    read_error: Option<String>,
}

impl ColdChunks {
    /// Spilled chunks will go to `store`, from offset 0.
    pub fn new(store: Box<dyn ColdStore>) -> Self {
        Self {
            store,
            end: 0,
            cache: Vec::new(),
            read_error: None,
        }
    }

    /// Bytes written to the store.
    #[cfg(test)]
    pub fn stored_bytes(&self) -> u64 {
        self.end
    }

    /// Bytes the read cache holds now (at most [`CACHE_BYTES`]).
    pub fn cache_bytes(&self) -> usize {
        self.cache.iter().map(|c| c.bytes.capacity()).sum()
    }

    /// The first failed read back, if any.
    pub fn read_error(&self) -> Option<&str> {
        self.read_error.as_deref()
    }

    /// Writes `bytes` after what is stored; their offset.
    fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let at = self.end;
        let end = at
            .checked_add(bytes.len() as u64)
            .ok_or_else(|| io::Error::other("cold store full"))?;
        self.store.write_at(at, bytes)?;
        self.end = end;
        Ok(at)
    }

    /// The value at `place` (a spilled chunk of `T`), through the cache; None when the read fails
    /// (the error is kept in [`ColdChunks::read_error`]).
    pub fn value<T: ColumnValue>(&mut self, place: ColdPlace) -> Option<T> {
        let start = place.index.checked_mul(T::BYTES)?;
        let end = start.checked_add(T::BYTES)?;
        if let Some(k) = self.cache.iter().position(|c| c.at == place.at) {
            if k + 1 != self.cache.len() {
                let hit = self.cache.remove(k);
                self.cache.push(hit);
            }
        } else {
            let mut bytes = if self.cache.len() >= CACHE_CHUNKS {
                self.cache.remove(0).bytes
            } else {
                Vec::new()
            };
            bytes.clear();
            bytes.resize(CHUNK_LEN * T::BYTES, 0);
            if let Err(e) = self.store.read_at(place.at, &mut bytes) {
                self.read_error.get_or_insert_with(|| {
                    format!("reading the index back from local storage: {e}")
                });
                return None;
            }
            self.cache.push(CachedChunk {
                at: place.at,
                bytes,
            });
        }
        let chunk = self.cache.last()?;
        chunk.bytes.get(start..end).map(T::from_le_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::super::cold_store::MemoryColdStore;
    use super::*;

    fn filled(n: usize) -> SpillableColumn<u64> {
        let mut c = SpillableColumn::default();
        for i in 0..n {
            c.push(i as u64 * 3);
        }
        c
    }

    fn value_of(c: &SpillableColumn<u64>, cold: &mut ColdChunks, i: usize) -> Option<u64> {
        match c.get(i)? {
            Slot::Value(v) => Some(v),
            Slot::Cold(p) => cold.value(p),
        }
    }

    #[test]
    fn spilled_chunks_read_back_equal_and_the_last_chunk_stays_resident() {
        let n = CHUNK_LEN * 3 + 17;
        let mut c = filled(n);
        let mut cold = ColdChunks::new(Box::new(MemoryColdStore::new()));
        assert_eq!(c.full_resident_chunks(), 3);
        c.spill_full_chunks(&mut cold).unwrap();
        assert_eq!(c.full_resident_chunks(), 0);
        assert_eq!(c.spilled_bytes(), 3 * CHUNK_LEN * 8);
        assert_eq!(cold.stored_bytes(), (3 * CHUNK_LEN * 8) as u64);
        for i in [0, 1, CHUNK_LEN - 1, CHUNK_LEN, 2 * CHUNK_LEN + 5, n - 1] {
            assert_eq!(
                value_of(&c, &mut cold, i),
                Some(i as u64 * 3),
                "element {i}"
            );
        }
        assert_eq!(value_of(&c, &mut cold, n), None);
        assert!(matches!(c.get(n - 1), Some(Slot::Value(_))));
        // Pushing goes on in the resident chunk; later full chunks spill after the first ones.
        for i in n..CHUNK_LEN * 4 + 1 {
            c.push(i as u64 * 3);
        }
        c.spill_full_chunks(&mut cold).unwrap();
        assert_eq!(c.spilled_bytes(), 4 * CHUNK_LEN * 8);
        let mut all = Vec::new();
        c.try_for_each(Some(&mut cold), |v| all.push(v)).unwrap();
        assert!(all
            .iter()
            .copied()
            .eq((0..CHUNK_LEN as u64 * 4 + 1).map(|i| i * 3)));
        assert!(cold.cache_bytes() <= CACHE_BYTES);
    }

    #[test]
    fn the_cache_stays_bounded_over_many_chunks() {
        let n = CHUNK_LEN * (CACHE_CHUNKS + 4);
        let mut c = filled(n);
        let mut cold = ColdChunks::new(Box::new(MemoryColdStore::new()));
        c.spill_full_chunks(&mut cold).unwrap();
        for i in (0..n).step_by(CHUNK_LEN / 2) {
            assert_eq!(value_of(&c, &mut cold, i), Some(i as u64 * 3));
            assert!(cold.cache.len() <= CACHE_CHUNKS);
        }
        assert!(cold.cache_bytes() <= CACHE_BYTES);
    }

    /// Fails every write after the first `writes_ok`, and every read when `reads_fail`.
    struct Flaky {
        inner: MemoryColdStore,
        writes_ok: usize,
        reads_fail: bool,
    }

    impl ColdStore for Flaky {
        fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
            if self.writes_ok == 0 {
                return Err(io::Error::other("disk full"));
            }
            self.writes_ok -= 1;
            self.inner.write_at(offset, bytes)
        }
        fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
            if self.reads_fail {
                return Err(io::Error::other("gone"));
            }
            self.inner.read_at(offset, buf)
        }
    }

    #[test]
    fn a_failed_write_keeps_the_chunk_and_a_failed_read_answers_none() {
        let mut c = filled(CHUNK_LEN * 2);
        let mut cold = ColdChunks::new(Box::new(Flaky {
            inner: MemoryColdStore::new(),
            writes_ok: 1,
            reads_fail: false,
        }));
        assert!(c.spill_full_chunks(&mut cold).is_err());
        assert_eq!(
            c.spilled_bytes(),
            CHUNK_LEN * 8,
            "only the written chunk moved"
        );
        for i in [0, CHUNK_LEN + 1] {
            assert_eq!(value_of(&c, &mut cold, i), Some(i as u64 * 3));
        }
        let mut cold = ColdChunks::new(Box::new(Flaky {
            inner: MemoryColdStore::new(),
            writes_ok: 10,
            reads_fail: true,
        }));
        let mut c = filled(CHUNK_LEN + 1);
        c.spill_full_chunks(&mut cold).unwrap();
        assert_eq!(value_of(&c, &mut cold, 0), None);
        assert!(cold.read_error().is_some_and(|e| e.contains("gone")));
        assert_eq!(
            value_of(&c, &mut cold, CHUNK_LEN),
            Some(CHUNK_LEN as u64 * 3)
        );
        assert!(c.try_for_each(Some(&mut cold), |_| {}).is_err());
        assert!(c.try_for_each(None, |_| {}).is_err());
    }
}
