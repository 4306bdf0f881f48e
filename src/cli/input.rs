//! Opening the capture named on the command line (`-` = standard input) and feeding it to a
//! pipeline in chunks.

use std::io::Read;

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
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        pipeline.push(&buf[..n], visit);
        if pipeline.error().is_some() {
            break;
        }
    }
    pipeline.finish(visit);
    Ok(())
}
