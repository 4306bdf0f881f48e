//! Differential test: every HTTP body tshark 4.0 decoded in the public corpus (`oracle/*/http.tsv`,
//! rows with a body SHA-256) is found among tracematch's messages of the same TCP stream with the
//! same decoded length and SHA-256; and the frame that ends the message agrees.

mod common;

use std::path::Path;

use tracematch::app::http::{http_messages, HttpOptions};
use tracematch::pipeline::Indexer;

fn index(path: &Path) -> Indexer {
    let data = std::fs::read(path).expect("read capture");
    let mut ix = Indexer::new();
    for chunk in data.chunks(1 << 20) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

#[test]
fn every_body_tshark_decoded_is_reproduced() {
    let Some(cap) = common::captures_dir("every_body_tshark_decoded_is_reproduced") else {
        return;
    };
    let mut bodies = 0;
    let mut found = 0;
    let mut same_frame = 0;
    let mut bad = Vec::new();
    let mut continuation = 0;
    for row in common::manifest(&cap) {
        let tsv = cap.join("public/oracle").join(&row.file).join("http.tsv");
        let Some((h, rows)) = common::read_tsv(&tsv) else {
            continue;
        };
        let col = |n: &str| h.iter().position(|c| c == n).unwrap();
        let (fc, sc, lc, hc) = (
            col("frame"),
            col("tcp_stream"),
            col("body_len"),
            col("body_sha256"),
        );
        let (mc, cc) = (col("method"), col("code"));
        let capture = cap.join("public").join(&row.file);
        let ix = index(&capture);
        let mut file = std::fs::File::open(&capture).unwrap();
        let msgs = http_messages(&ix, &mut file, HttpOptions::default());
        let tshark_messages = rows
            .iter()
            .filter(|r| !r[mc].is_empty() || !r[cc].is_empty())
            .count();
        if std::env::var_os("TRACEMATCH_HTTP_COUNTS").is_some() && tshark_messages != msgs.len() {
            eprintln!(
                "  count: {} tshark {tshark_messages} ours {}",
                row.file,
                msgs.len()
            );
        }
        for r in rows.iter().filter(|r| !r[hc].is_empty()) {
            if r[mc].is_empty() && r[cc].is_empty() {
                // tshark's "HTTP continuation": one TCP segment's bytes shown as file_data when it
                // could not place them in a message (not a message body); counted separately.
                continuation += 1;
                continue;
            }
            bodies += 1;
            let stream: u32 = r[sc].parse().unwrap_or(u32::MAX);
            let frame: u32 = r[fc].parse().unwrap_or(0);
            let same_body = |m: &&tracematch::app::http::HttpMessage| {
                m.stream == stream
                    && m.body_sha256.as_deref() == Some(r[hc].as_str())
                    && m.body_len.map(|l| l.to_string()).as_deref() == Some(r[lc].as_str())
            };
            // Identical bodies repeat (1000 equal responses): prefer the one ending in tshark's frame.
            let hit = msgs
                .iter()
                .filter(same_body)
                .find(|m| m.last_frame == frame)
                .or_else(|| msgs.iter().find(same_body));
            match hit {
                Some(m) => {
                    found += 1;
                    if m.last_frame == frame {
                        same_frame += 1;
                    } else if std::env::var_os("TRACEMATCH_HTTP_FRAMES").is_some() {
                        eprintln!(
                            "  frame: {} stream {stream} tshark {frame} ours {}-{}",
                            row.file, m.first_frame, m.last_frame
                        );
                    }
                }
                None => bad.push(format!(
                    "{} frame {frame} stream {stream} len {}",
                    row.file, r[lc]
                )),
            }
        }
    }
    eprintln!("http corpus: {found}/{} decoded bodies reproduced (length + SHA-256); {same_frame} end in the same frame; {continuation} continuation rows skipped", found + bad.len());
    for b in bad.iter().take(40) {
        eprintln!("  missing: {b}");
    }
    assert!(bodies > 100, "only {bodies} bodies in the oracle");
    assert!(
        bad.is_empty(),
        "{} of {} bodies not reproduced",
        bad.len(),
        found + bad.len()
    );
}
