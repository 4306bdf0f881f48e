//! The hostile capture: HTTP and UDP traffic whose bytes are markup and script aimed at a viewer
//! that would insert capture data as HTML (`<script>`, `<img src=x onerror=…>`, `javascript:` URLs
//! in the request target, in headers and in bodies, a markup file name in `Content-Disposition`, an
//! SVG with script served as an image). The page's end-to-end test opens it and proves nothing
//! executes and the text shows as text. Every script in it would set `window.__pwned`.
//!
//! It also carries one small real PNG (served as `image/png`), so the page's image view is tested
//! on bytes that are an image.

use std::io::{BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use super::capture_point::CapturePoint;
use super::http_message::{
    http_conversation, request_bytes, response_bytes, Body, ContentCoding, HttpExchange,
};
use super::packet::LogicalPacket;
use super::tcp_conversation::{Dir, Endpoint, IpIdCounters, TcpConversation};
use super::udp_exchange::UdpExchange;
use crate::export::TsResolution;

/// The script body of the HTML response (text the page must show, never run).
pub const HOSTILE_SCRIPT: &str = "<script>window.__pwned='script'</script>";
/// An image tag whose error handler would run script.
pub const HOSTILE_IMG: &str = "<img src=x onerror=\"window.__pwned='img'\">";
/// A `javascript:` URL.
pub const HOSTILE_JS_URL: &str = "javascript:window.__pwned='url'";
/// A file name made of markup (in `Content-Disposition`).
pub const HOSTILE_FILE_NAME: &str = "<svg onload=window.__pwned='name'>.html";
/// The UDP datagram's text.
pub const HOSTILE_UDP: &str = "<script>window.__pwned='udp'</script> over UDP";

/// The HTML response body.
pub fn hostile_html() -> String {
    format!(
        "<!doctype html><html><body>{HOSTILE_SCRIPT}\n{HOSTILE_IMG}\n<a href=\"{HOSTILE_JS_URL}\">click</a>\n\
         <iframe src=\"{HOSTILE_JS_URL}\"></iframe><style>body{{background:url({HOSTILE_JS_URL})}}</style>\n</body></html>\n"
    )
}

/// An SVG with script and an `onload` handler, served as `image/svg+xml` (an `<img>` never runs it).
pub fn hostile_svg() -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\" onload=\"window.__pwned='svg'\">\
     <script>window.__pwned='svg-script'</script><rect width=\"40\" height=\"40\" fill=\"#c33\"/></svg>\n"
        .to_string()
}

/// A 16×16 PNG: red left half, blue right half (stored deflate, no external encoder).
pub fn small_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let (w, h) = (16u32, 16u32);
    // One scanline: filter byte 0 (none), then RGB pixels.
    let mut row = vec![0u8];
    for x in 0..w {
        row.extend_from_slice(if x < w / 2 {
            &[0xcc, 0x33, 0x33]
        } else {
            &[0x33, 0x55, 0xcc]
        });
    }
    let raw = row.repeat(h as usize);
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The logical traffic: one HTTP connection (HTML, SVG and PNG responses; the HTML one gzip-coded
/// too in a second exchange) and one UDP exchange.
pub fn hostile_traffic() -> Vec<LogicalPacket> {
    let client = Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 66, 0, 2)), 49152);
    let server = Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 66, 0, 1)), 80);
    let t0: i64 = 1_700_000_000_000_000_000;
    let html = hostile_html();
    let disposition = format!("attachment; filename=\"{HOSTILE_FILE_NAME}\"");
    let evil_target = format!("/{HOSTILE_IMG}?next={HOSTILE_JS_URL}");
    let exchanges = vec![
        HttpExchange {
            request: request_bytes(
                "GET",
                &evil_target.replace(' ', "%20"),
                "evil.example",
                &[("Referer", HOSTILE_JS_URL), ("X-Note", HOSTILE_SCRIPT)],
                None,
            ),
            response: response_bytes(
                200,
                "OK <b>bold</b>",
                &[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Disposition", &disposition),
                    ("Location", HOSTILE_JS_URL),
                    ("X-Img", HOSTILE_IMG),
                    ("Link", &format!("<{HOSTILE_JS_URL}>; rel=preload")),
                ],
                Some(&Body::plain(html.clone().into_bytes())),
            ),
        },
        HttpExchange::get(
            "/pwn.svg",
            "evil.example",
            "image/svg+xml",
            Body::plain(hostile_svg().into_bytes()),
        ),
        HttpExchange::get(
            "/ok.png",
            "evil.example",
            "image/png",
            Body::plain(small_png()),
        ),
        HttpExchange::get(
            "/again.html",
            "evil.example",
            "text/html",
            Body::plain(html.into_bytes()).coded(ContentCoding::Gzip),
        ),
    ];
    let conv = http_conversation(
        TcpConversation::new(0, client, server, t0),
        &exchanges,
        false,
    );
    let mut ids = IpIdCounters::new(0xbad);
    let mut out = conv.packets(&mut ids);
    let udp = UdpExchange::new(
        1,
        Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 66, 0, 2)), 5353),
        Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 66, 0, 3)), 9999),
        t0 + 5_000_000_000,
    )
    .datagram(Dir::ToServer, HOSTILE_UDP.as_bytes().to_vec())
    .datagram(Dir::ToClient, HOSTILE_IMG.as_bytes().to_vec());
    out.extend(udp.packets(&mut ids));
    out
}

/// Writes the hostile capture as classic pcap to `out`; returns the packet count.
pub fn write_hostile<W: Write>(out: W) -> std::io::Result<u64> {
    CapturePoint::new("hostile").write_pcap(&hostile_traffic(), out, TsResolution::Micro)
}

/// Writes `hostile.pcap` into `dir` (created if needed); returns its path and packet count.
pub fn hostile_capture(dir: &Path) -> std::io::Result<(std::path::PathBuf, u64)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("hostile.pcap");
    let mut w = BufWriter::new(std::fs::File::create(&path)?);
    let packets = write_hostile(&mut w)?;
    w.flush()?;
    Ok((path, packets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::http::{http_messages, HttpOptions};
    use crate::pipeline::Indexer;

    #[test]
    fn the_hostile_capture_carries_its_markup_through_http_parsing() {
        let mut bytes = Vec::new();
        let packets = write_hostile(&mut bytes).expect("in memory");
        assert!(packets > 10);
        let mut ix = Indexer::new();
        ix.push(&bytes);
        ix.finish();
        assert_eq!(ix.summary().tcp_streams, 1);
        assert_eq!(ix.summary().udp_streams, 1);
        let mut source = &bytes[..];
        let messages = http_messages(&ix, &mut source, HttpOptions::default());
        assert_eq!(messages.len(), 8, "4 requests and 4 responses");
        let first = messages
            .iter()
            .find(|m| m.status == Some(200))
            .expect("a response");
        assert_eq!(first.header("x-img"), Some(HOSTILE_IMG));
        assert_eq!(first.header("location"), Some(HOSTILE_JS_URL));
        assert_eq!(first.body.as_deref(), Some(hostile_html().as_bytes()));
        let gz = messages.last().expect("the last response");
        assert_eq!(gz.content_encoding.as_deref(), Some("gzip"));
        assert_eq!(gz.body.as_deref(), Some(hostile_html().as_bytes()));
        let png = messages
            .iter()
            .find(|m| m.header("content-type") == Some("image/png"))
            .expect("the PNG response");
        assert_eq!(png.body.as_deref(), Some(small_png().as_slice()));
    }

    #[test]
    fn the_png_is_a_png() {
        let png = small_png();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.ends_with(&[0xae, 0x42, 0x60, 0x82]), "IEND CRC");
    }
}
