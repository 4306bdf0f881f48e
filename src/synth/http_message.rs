//! Synthetic HTTP/1.1 messages: bodies plain, chunked or until-close, with any stack of content
//! codings (gzip, x-gzip, deflate as zlib or raw, br, zstd), and conversations carrying several
//! exchanges with keep-alive or pipelining.

use std::io::Write;

use super::tcp_conversation::{Close, Dir, TcpConversation};

/// One content coding, applied in the order listed in `Content-Encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentCoding {
    /// gzip (RFC 1952).
    Gzip,
    /// gzip under its legacy name `x-gzip`.
    XGzip,
    /// `deflate` as RFC 1950 zlib (what the RFC means).
    DeflateZlib,
    /// `deflate` as raw RFC 1951 data (what some servers send).
    DeflateRaw,
    /// Brotli.
    Br,
    /// Zstandard.
    Zstd,
}

impl ContentCoding {
    /// The token written in `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::XGzip => "x-gzip",
            Self::DeflateZlib | Self::DeflateRaw => "deflate",
            Self::Br => "br",
            Self::Zstd => "zstd",
        }
    }
}

/// Applies one coding to `data`.
pub fn encode(coding: ContentCoding, data: &[u8]) -> Vec<u8> {
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;
    // Writing into a Vec cannot fail; an empty result would only follow an impossible I/O error.
    match coding {
        ContentCoding::Gzip | ContentCoding::XGzip => {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(data);
            e.finish().unwrap_or_default()
        }
        ContentCoding::DeflateZlib => {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(data);
            e.finish().unwrap_or_default()
        }
        ContentCoding::DeflateRaw => {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            let _ = e.write_all(data);
            e.finish().unwrap_or_default()
        }
        ContentCoding::Br => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                let _ = w.write_all(data);
            }
            out
        }
        ContentCoding::Zstd => {
            let mut out = Vec::new();
            ruzstd::encoding::compress(data, &mut out, ruzstd::encoding::CompressionLevel::Fastest);
            out
        }
    }
}

/// How a body is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length`.
    ContentLength,
    /// `Transfer-Encoding: chunked` with chunks of at most this many bytes.
    Chunked(usize),
    /// No length: the body ends when the server closes (responses only).
    UntilClose,
}

/// An entity body before encoding, the codings to apply and its framing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// The decoded content.
    pub content: Vec<u8>,
    /// Content codings in the order applied.
    pub codings: Vec<ContentCoding>,
    /// Framing on the wire.
    pub framing: Framing,
}

impl Body {
    /// A body sent as is with `Content-Length`.
    pub fn plain(content: impl Into<Vec<u8>>) -> Self {
        Self {
            content: content.into(),
            codings: Vec::new(),
            framing: Framing::ContentLength,
        }
    }

    /// Adds a coding (applied after the ones already listed).
    pub fn coded(mut self, c: ContentCoding) -> Self {
        self.codings.push(c);
        self
    }

    /// Sets the framing.
    pub fn framed(mut self, f: Framing) -> Self {
        self.framing = f;
        self
    }

    /// The body bytes after content coding (before framing).
    pub fn encoded(&self) -> Vec<u8> {
        let mut data = self.content.clone();
        for &c in &self.codings {
            data = encode(c, &data);
        }
        data
    }
}

/// Builds a message: start line, headers, framing headers for `body`, blank line, framed body.
fn message(start_line: &str, headers: &[(&str, &str)], body: Option<&Body>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(start_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    let Some(body) = body else {
        out.extend_from_slice(b"\r\n");
        return out;
    };
    if !body.codings.is_empty() {
        let tokens: Vec<&str> = body.codings.iter().map(|c| c.token()).collect();
        out.extend_from_slice(format!("Content-Encoding: {}\r\n", tokens.join(", ")).as_bytes());
    }
    let data = body.encoded();
    match body.framing {
        Framing::ContentLength => {
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", data.len()).as_bytes());
            out.extend_from_slice(&data);
        }
        Framing::Chunked(size) => {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for chunk in data.chunks(size.max(1)) {
                out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
        }
        Framing::UntilClose => {
            out.extend_from_slice(b"Connection: close\r\n\r\n");
            out.extend_from_slice(&data);
        }
    }
    out
}

/// A request's bytes (`Host` first, then `headers`, then framing headers when there is a body).
pub fn request_bytes(
    method: &str,
    uri: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: Option<&Body>,
) -> Vec<u8> {
    let mut all: Vec<(&str, &str)> = vec![("Host", host)];
    all.extend_from_slice(headers);
    message(&format!("{method} {uri} HTTP/1.1"), &all, body)
}

/// A response's bytes.
pub fn response_bytes(
    status: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: Option<&Body>,
) -> Vec<u8> {
    message(&format!("HTTP/1.1 {status} {reason}"), headers, body)
}

/// One request and its response, as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpExchange {
    /// Request bytes.
    pub request: Vec<u8>,
    /// Response bytes.
    pub response: Vec<u8>,
}

impl HttpExchange {
    /// `GET uri` answered `200 OK` with `body` (`Content-Type` given).
    pub fn get(uri: &str, host: &str, content_type: &str, body: Body) -> Self {
        Self {
            request: request_bytes(
                "GET",
                uri,
                host,
                &[("User-Agent", "tracematch-synth/1"), ("Accept", "*/*")],
                None,
            ),
            response: response_bytes(
                200,
                "OK",
                &[("Server", "synth"), ("Content-Type", content_type)],
                Some(&body),
            ),
        }
    }
}

/// Puts `exchanges` on `conv`: one after the other (keep-alive) or all requests first
/// (pipelining). A response framed until-close makes the server close first.
pub fn http_conversation(
    mut conv: TcpConversation,
    exchanges: &[HttpExchange],
    pipelined: bool,
) -> TcpConversation {
    if pipelined {
        let mut all = Vec::new();
        for x in exchanges {
            all.extend_from_slice(&x.request);
        }
        conv.messages.push((Dir::ToServer, all));
        for x in exchanges {
            conv.messages.push((Dir::ToClient, x.response.clone()));
        }
    } else {
        for x in exchanges {
            conv.messages.push((Dir::ToServer, x.request.clone()));
            conv.messages.push((Dir::ToClient, x.response.clone()));
        }
    }
    let until_close = exchanges.last().is_some_and(|x| {
        let head_end = x
            .response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(x.response.len());
        x.response
            .get(..head_end)
            .is_some_and(|h| h.windows(17).any(|w| w == b"Connection: close"))
    });
    if until_close {
        conv.close = Close::ServerFin;
    }
    conv
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn every_coding_round_trips_through_a_decoder() {
        let data: Vec<u8> = (0..5000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        for c in [
            ContentCoding::Gzip,
            ContentCoding::XGzip,
            ContentCoding::DeflateZlib,
            ContentCoding::DeflateRaw,
            ContentCoding::Br,
            ContentCoding::Zstd,
        ] {
            let enc = encode(c, &data);
            assert!(enc.len() < data.len(), "{c:?} did not compress");
            let mut dec = Vec::new();
            match c {
                ContentCoding::Gzip | ContentCoding::XGzip => {
                    flate2::read::GzDecoder::new(&enc[..])
                        .read_to_end(&mut dec)
                        .unwrap()
                }
                ContentCoding::DeflateZlib => flate2::read::ZlibDecoder::new(&enc[..])
                    .read_to_end(&mut dec)
                    .unwrap(),
                ContentCoding::DeflateRaw => flate2::read::DeflateDecoder::new(&enc[..])
                    .read_to_end(&mut dec)
                    .unwrap(),
                ContentCoding::Br => brotli_decompressor::Decompressor::new(&enc[..], 4096)
                    .read_to_end(&mut dec)
                    .unwrap(),
                ContentCoding::Zstd => ruzstd::decoding::StreamingDecoder::new(&enc[..])
                    .unwrap()
                    .read_to_end(&mut dec)
                    .unwrap(),
            };
            assert_eq!(dec, data, "{c:?}");
        }
    }

    #[test]
    fn chunked_stacked_response_is_well_formed() {
        let body = Body::plain(b"hello world".to_vec())
            .coded(ContentCoding::Gzip)
            .coded(ContentCoding::Gzip)
            .framed(Framing::Chunked(7));
        let r = response_bytes(200, "OK", &[("Content-Type", "text/plain")], Some(&body));
        let text = String::from_utf8_lossy(&r);
        assert!(text.contains("Content-Encoding: gzip, gzip\r\n"));
        assert!(text.contains("Transfer-Encoding: chunked\r\n\r\n7\r\n"));
        assert!(r.ends_with(b"0\r\n\r\n"));
        let mut headers = [httparse::EMPTY_HEADER; 8];
        let mut resp = httparse::Response::new(&mut headers);
        assert!(resp.parse(&r).unwrap().is_complete());
        assert_eq!(resp.code, Some(200));
    }
}
