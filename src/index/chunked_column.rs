//! A growable column stored in fixed-size chunks: appending never moves what is stored, so a
//! column of hundreds of megabytes grows without the 2–3× transient peak of a `Vec` reallocating
//! (old and new buffers alive at once, then up to half of the new one unused). That matters in
//! wasm, whose linear memory never shrinks: a 10 GB capture's index would otherwise need about
//! twice its size at the moment the largest column doubles.

/// Elements per full chunk (a power of two, so the last chunk's doubling growth ends exactly here).
pub const CHUNK_LEN: usize = 1 << 16;

/// A column of `T` in chunks of [`CHUNK_LEN`] elements.
#[derive(Clone, Debug)]
pub struct ChunkedColumn<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedColumn<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> ChunkedColumn<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `value`.
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK_LEN => last.push(value),
            _ => {
                // Small columns grow by doubling inside their first chunk; full chunks are never
                // reallocated.
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() {
                    16
                } else {
                    CHUNK_LEN
                });
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    /// The element at `i`, if any.
    pub fn get(&self, i: usize) -> Option<T> {
        self.chunks
            .get(i / CHUNK_LEN)
            .and_then(|c| c.get(i % CHUNK_LEN))
            .copied()
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter().copied())
    }

    /// Bytes reserved on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity()).sum::<usize>() * std::mem::size_of::<T>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunk_boundaries() {
        let mut c = ChunkedColumn::default();
        let n = CHUNK_LEN * 2 + 123;
        for i in 0..n {
            c.push(i as u32);
        }
        assert_eq!(c.len(), n);
        assert_eq!(c.get(0), Some(0));
        assert_eq!(c.get(CHUNK_LEN - 1), Some(CHUNK_LEN as u32 - 1));
        assert_eq!(c.get(CHUNK_LEN), Some(CHUNK_LEN as u32));
        assert_eq!(c.get(n - 1), Some(n as u32 - 1));
        assert_eq!(c.get(n), None);
        assert!(c.iter().eq(0..n as u32));
    }

    #[test]
    fn memory_stays_within_one_chunk_of_the_data() {
        let mut c = ChunkedColumn::default();
        let n = CHUNK_LEN * 10 + 1;
        for i in 0..n {
            c.push(i as u64);
        }
        let data = n * 8;
        assert!(c.heap_bytes() >= data);
        assert!(
            c.heap_bytes() <= data + CHUNK_LEN * 8 + 1024,
            "{} for {data}",
            c.heap_bytes()
        );
    }
}
