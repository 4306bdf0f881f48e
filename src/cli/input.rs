//! Opening the capture named on the command line (`-` = standard input) and feeding it to a
//! pipeline in chunks.

use std::io::Read;

use crate::capture::random_access::ByteSource;
use crate::pipeline::{FrameContext, Pipeline};

/// Size of the chunks read from the input.
const CHUNK: usize = 1 << 20;

/// Feeds the whole input at `path` (`-` for stdin) through `pipeline`, calling `visit` per frame.
/// An I/O error opening or reading the input is returned; capture damage stays in the pipeline.
pub fn feed<V: FnMut(&FrameContext)>(
    path: &str,
    pipeline: &mut Pipeline,
    visit: &mut V,
) -> std::io::Result<()> {
    let mut reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open {path}: {e}")))?,
        )
    };
    pipeline.run_reader(&mut reader, visit)
}

/// Indexes the capture at `path` (`-` for stdin, which is kept in memory so its packets can be
/// read back) and returns the indexer with a source for reading packet bytes back.
pub fn index(path: &str) -> std::io::Result<(crate::pipeline::Indexer, Box<dyn ByteSource>)> {
    let mut ix = crate::pipeline::Indexer::new();
    let source: Box<dyn ByteSource> = if path == "-" {
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        for chunk in data.chunks(CHUNK) {
            ix.push(chunk);
        }
        Box::new(MemorySource(data))
    } else {
        let mut file = std::fs::File::open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open {path}: {e}")))?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            ix.push(&buf[..n]);
        }
        Box::new(file)
    };
    ix.finish();
    Ok((ix, source))
}

/// An in-memory capture (standard input) as a [`ByteSource`].
struct MemorySource(Vec<u8>);

impl ByteSource for MemorySource {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s: &[u8] = &self.0;
        s.read_at(offset, buf)
    }
}
