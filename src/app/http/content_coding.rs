//! Content-Encoding decoding with a size cap: gzip / x-gzip, deflate (zlib, or raw as some servers
//! send), br, zstd (ruzstd, a pure-Rust decoder that also builds for wasm32), identity, and stacks
//! of them (`gzip, gzip`), decoded last-applied first.

use std::io::Read;

/// Why a body could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A coding this decoder does not know (e.g. `rc4`, `compress`).
    Unsupported(String),
    /// The data is not valid for the coding.
    Corrupt(String),
}

/// A decoded body: at most the cap, with `truncated` when more was there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded bytes (at most the cap).
    pub bytes: Vec<u8>,
    /// The decoded body was longer than the cap (a decompression bomb, or just large).
    pub truncated: bool,
}

/// The codings of a `Content-Encoding` value in the order applied (lowercase, `identity` dropped).
pub fn codings(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != "identity")
        .collect()
}

/// Reads at most `cap` bytes from `r`, reporting whether more were available.
fn read_capped<R: Read>(r: R, cap: usize) -> Result<Decoded, String> {
    let mut out = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    r.take(limit)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    let truncated = out.len() > cap;
    out.truncate(cap);
    Ok(Decoded {
        bytes: out,
        truncated,
    })
}

/// Decodes one coding.
fn decode_one(coding: &str, data: &[u8], cap: usize) -> Result<Decoded, DecodeError> {
    let corrupt = |e: String| DecodeError::Corrupt(format!("{coding}: {e}"));
    match coding {
        "gzip" | "x-gzip" => {
            read_capped(flate2::read::MultiGzDecoder::new(data), cap).map_err(corrupt)
        }
        "deflate" => read_capped(flate2::read::ZlibDecoder::new(data), cap)
            .or_else(|_| read_capped(flate2::read::DeflateDecoder::new(data), cap))
            .map_err(corrupt),
        "br" => {
            read_capped(brotli_decompressor::Decompressor::new(data, 4096), cap).map_err(corrupt)
        }
        "zstd" => {
            let dec = ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| corrupt(e.to_string()))?;
            read_capped(dec, cap).map_err(corrupt)
        }
        other => Err(DecodeError::Unsupported(other.to_string())),
    }
}

/// Decodes `data` encoded with `content_encoding` (a header value; None = not encoded), keeping at
/// most `cap` decoded bytes at every stage.
pub fn decode_body(
    content_encoding: Option<&str>,
    data: &[u8],
    cap: usize,
) -> Result<Decoded, DecodeError> {
    let list = content_encoding.map(codings).unwrap_or_default();
    let mut current = Decoded {
        bytes: data.to_vec(),
        truncated: false,
    };
    if list.is_empty() && current.bytes.len() > cap {
        current.bytes.truncate(cap);
        current.truncated = true;
    }
    for coding in list.iter().rev() {
        let next = decode_one(coding, &current.bytes, cap)?;
        current = Decoded {
            bytes: next.bytes,
            truncated: current.truncated || next.truncated,
        };
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(d: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(d).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn stacked_gzip_and_identity() {
        let data = b"hello hello hello".to_vec();
        let twice = gzip(&gzip(&data));
        let d = decode_body(Some("identity, gzip , GZIP"), &twice, 1 << 20).unwrap();
        assert_eq!(d.bytes, data);
        assert!(!d.truncated);
        assert_eq!(codings("identity, gzip, identity"), vec!["gzip"]);
    }

    #[test]
    fn raw_deflate_fallback_and_unknown_coding() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"raw deflate body").unwrap();
        let raw = e.finish().unwrap();
        assert_eq!(
            decode_body(Some("deflate"), &raw, 100).unwrap().bytes,
            b"raw deflate body"
        );
        assert!(matches!(
            decode_body(Some("rc4, gzip"), &gzip(b"x"), 100),
            Err(DecodeError::Unsupported(_))
        ));
        assert!(matches!(
            decode_body(Some("gzip"), b"not gzip at all", 100),
            Err(DecodeError::Corrupt(_))
        ));
    }

    #[test]
    fn bomb_is_capped_and_flagged() {
        let zeros = vec![0u8; 10 << 20];
        let bomb = gzip(&zeros);
        assert!(bomb.len() < 100_000);
        let d = decode_body(Some("gzip"), &bomb, 1 << 20).unwrap();
        assert_eq!(d.bytes.len(), 1 << 20);
        assert!(d.truncated);
        let plain = decode_body(None, &zeros, 1000).unwrap();
        assert_eq!((plain.bytes.len(), plain.truncated), (1000, true));
    }
}
