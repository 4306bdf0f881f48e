//! Differential test: server name and chosen cipher suite of every TLS handshake in the public
//! corpus, against tshark 4.0 (`tests/expected/tls/handshakes.tsv`, generated once with
//! `tshark -n -Y "tls.handshake.type==1||tls.handshake.type==2" -T fields -e tcp.stream
//! -e tls.handshake.type -e tls.handshake.ciphersuite -e tls.handshake.extensions_server_name`,
//! first ClientHello and ServerHello per stream).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use tracematch::app::tls::tls_summary_of_stream;
use tracematch::pipeline::Indexer;

#[test]
fn sni_and_cipher_suite_match_tshark() {
    let Some(cap) = common::captures_dir("sni_and_cipher_suite_match_tshark") else {
        return;
    };
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/tls/handshakes.tsv");
    let (_, rows) = common::read_tsv(&expected).expect("expected file");
    let mut by_capture: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for r in rows {
        by_capture.entry(r[0].clone()).or_default().push(r);
    }
    // Named exception: in this stream a first connection attempt (frames 43-47) answered with an
    // unrelated sequence number and a RST sets tshark's base sequence for the server side
    // (tcp_analyze_sequence_number: base_seq = seq - 1 on the first non-SYN segment); tshark then
    // flags the real ServerHello segments (frames 118-126) as retransmissions and does not
    // dissect them as TLS, so it reports no cipher suite. The handshake is there: 0xc028.
    let exceptions = [(
        "suricata-verify__tls-subjectaltname_input.pcap",
        3u32,
        "www.bing.com",
        "0xc028",
    )];
    let (mut total, mut bad) = (0, Vec::new());
    for (file, rows) in by_capture {
        let path = cap.join("public").join(&file);
        let data = std::fs::read(&path).unwrap();
        let mut ix = Indexer::new();
        ix.push(&data);
        ix.finish();
        for r in rows {
            total += 1;
            let stream: u32 = r[1].parse().unwrap();
            let mut src: &[u8] = &data;
            let s = tls_summary_of_stream(&ix, &mut src, stream);
            let sni = s.as_ref().and_then(|s| s.sni.clone()).unwrap_or_default();
            let cipher = s
                .as_ref()
                .and_then(|s| s.cipher_suite.clone())
                .unwrap_or_default();
            if let Some(e) = exceptions.iter().find(|e| e.0 == file && e.1 == stream) {
                assert_eq!(
                    (sni.as_str(), cipher.as_str()),
                    (e.2, e.3),
                    "named exception changed"
                );
                continue;
            }
            if sni != r[2] || cipher != r[3] {
                bad.push(format!(
                    "{file} stream {stream}: want ({}, {}) got ({sni}, {cipher})",
                    r[2], r[3]
                ));
            }
        }
    }
    eprintln!(
        "tls corpus: {}/{total} handshakes agree (SNI and cipher suite)",
        total - bad.len()
    );
    for b in bad.iter().take(20) {
        eprintln!("  {b}");
    }
    assert!(total >= 50, "only {total} handshakes");
    assert!(bad.is_empty(), "{} of {total} differ", bad.len());
}
