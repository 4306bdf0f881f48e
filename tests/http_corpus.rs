//! Differential tests against tshark 4.0's HTTP bodies in the public corpus (`oracle/*/http.tsv`,
//! rows with a body SHA-256), asserting what `shared/acceptance/compare_http.py` checks: per capture
//! and TCP stream (the first `tcp.stream` value of a tunnelled frame), the multiset of
//! (decoded length, SHA-256) of every body tshark decoded — messages and tshark's "HTTP
//! continuation" segments alike — is contained in tracematch's messages. A second test holds the
//! continuations to tshark exactly: same frames, same bytes, none extra.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use tracematch::app::http::{http_messages, HttpKind, HttpMessage, HttpOptions};
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

/// One oracle row with a decoded body.
struct OracleBody {
    stream: u32,
    frame: u32,
    len: u64,
    sha256: String,
    /// No method and no status code: tshark's "HTTP continuation".
    continuation: bool,
}

/// The captures that have an http.tsv, with their rows that carry a body hash.
fn oracle_bodies(cap: &Path) -> Vec<(String, Vec<OracleBody>)> {
    let mut out = Vec::new();
    for row in common::manifest(cap) {
        let tsv = cap.join("public/oracle").join(&row.file).join("http.tsv");
        let Some((h, rows)) = common::read_tsv(&tsv) else {
            continue;
        };
        let col = |n: &str| h.iter().position(|c| c == n).expect(n);
        let (fc, sc, lc, hc, mc, cc) = (
            col("frame"),
            col("tcp_stream"),
            col("body_len"),
            col("body_sha256"),
            col("method"),
            col("code"),
        );
        let bodies = rows
            .iter()
            .filter(|r| !r[hc].is_empty())
            .map(|r| OracleBody {
                stream: r[sc]
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .parse()
                    .expect("tcp.stream"),
                frame: r[fc].parse().expect("frame"),
                len: r[lc].parse().expect("body_len"),
                sha256: r[hc].to_ascii_lowercase(),
                continuation: r[mc].is_empty() && r[cc].is_empty(),
            })
            .collect();
        out.push((row.file, bodies));
    }
    out
}

fn messages_of(cap: &Path, file: &str) -> Vec<HttpMessage> {
    let capture = cap.join("public").join(file);
    let ix = index(&capture);
    let mut f = std::fs::File::open(&capture).expect("open capture");
    http_messages(&ix, &mut f, HttpOptions::default())
}

#[test]
fn every_body_tshark_decoded_is_reproduced() {
    let Some(cap) = common::captures_dir("every_body_tshark_decoded_is_reproduced") else {
        return;
    };
    let (mut wanted, mut found, mut continuations) = (0usize, 0usize, 0usize);
    let mut bad = Vec::new();
    for (file, bodies) in oracle_bodies(&cap) {
        if bodies.is_empty() {
            continue;
        }
        let messages = messages_of(&cap, &file);
        if std::env::var_os("TRACEMATCH_HTTP_COUNTS").is_some() {
            // Diagnostic only: tshark's message rows (all of them, with or without a body) vs ours.
            let tsv = cap.join("public/oracle").join(&file).join("http.tsv");
            let tshark_messages = common::read_tsv(&tsv).map_or(0, |(h, rows)| {
                let col = |n: &str| h.iter().position(|c| c == n).expect(n);
                let (mc, cc) = (col("method"), col("code"));
                rows.iter()
                    .filter(|r| !r[mc].is_empty() || !r[cc].is_empty())
                    .count()
            });
            let ours = messages
                .iter()
                .filter(|m| m.kind != HttpKind::Continuation)
                .count();
            if ours != tshark_messages {
                eprintln!("  count: {file} tshark {tshark_messages} ours {ours}");
            }
        }
        // Our (stream, len, sha) multiset; each oracle body takes one.
        let mut ours: BTreeMap<(u32, u64, String), usize> = BTreeMap::new();
        for m in messages {
            if let (Some(len), Some(sha)) = (m.body_len, m.body_sha256) {
                *ours
                    .entry((m.stream, len, sha.to_ascii_lowercase()))
                    .or_default() += 1;
            }
        }
        for b in &bodies {
            wanted += 1;
            continuations += usize::from(b.continuation);
            let key = (b.stream, b.len, b.sha256.clone());
            match ours.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    found += 1;
                }
                _ => bad.push(format!(
                    "{file} frame {} stream {} len {}{}",
                    b.frame,
                    b.stream,
                    b.len,
                    if b.continuation {
                        " (continuation)"
                    } else {
                        ""
                    }
                )),
            }
        }
    }
    eprintln!(
        "http corpus: {found}/{wanted} decoded bodies reproduced (stream + length + SHA-256, as a \
         multiset; {continuations} of them tshark continuations)"
    );
    for b in bad.iter().take(40) {
        eprintln!("  missing: {b}");
    }
    assert!(wanted > 1000, "only {wanted} bodies in the oracle");
    assert!(continuations > 0, "no continuation rows in the oracle");
    assert!(
        bad.is_empty(),
        "{} of {wanted} bodies not reproduced",
        bad.len()
    );
}

#[test]
fn continuations_are_exactly_tsharks() {
    let Some(cap) = common::captures_dir("continuations_are_exactly_tsharks") else {
        return;
    };
    let mut total = 0usize;
    let mut bad = Vec::new();
    for (file, bodies) in oracle_bodies(&cap) {
        let mut want: Vec<(u32, u32, u64, String)> = bodies
            .iter()
            .filter(|b| b.continuation)
            .map(|b| (b.stream, b.frame, b.len, b.sha256.clone()))
            .collect();
        let mut got: Vec<(u32, u32, u64, String)> = messages_of(&cap, &file)
            .into_iter()
            .filter(|m| m.kind == HttpKind::Continuation)
            .filter_map(|m| Some((m.stream, m.last_frame, m.body_len?, m.body_sha256?)))
            .collect();
        want.sort();
        got.sort();
        total += want.len();
        if want != got {
            bad.push(format!(
                "{file}: tshark {} continuations, ours {}",
                want.len(),
                got.len()
            ));
        }
    }
    eprintln!("http continuations: {total} in the oracle");
    assert!(total > 0, "no continuation rows in the oracle");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
