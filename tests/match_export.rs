//! `tracematch match A B --export-pcapng OUT`: the matched pair written as one pcapng, read back
//! with our own reader (two interfaces, every packet of both captures, a peer comment on each,
//! timestamps merged in order) and, when `/usr/bin/tshark` exists, with tshark (it must open the
//! file and agree on packet count, interfaces and comments).

use std::path::{Path, PathBuf};
use std::process::Command;

use tracematch::capture::{CaptureReader, FrameMeta};

const BIN: &str = env!("CARGO_BIN_EXE_tracematch");

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Frames (meta) of a capture read with our reader, plus its interfaces and packet comments.
fn read_back(path: &Path) -> (Vec<FrameMeta>, usize, Vec<(u32, String)>) {
    let bytes = std::fs::read(path).expect("read export");
    let mut reader = CaptureReader::new();
    let mut frames = Vec::new();
    let mut sink = |m: &FrameMeta, _: &[u8]| frames.push(*m);
    let read = reader
        .push(&bytes, &mut sink)
        .and_then(|()| reader.finish(&mut sink));
    assert!(read.is_ok(), "reading {}: {read:?}", path.display());
    let info = reader.info();
    (frames, info.interfaces.len(), info.packet_comments.clone())
}

fn frame_count(path: &Path) -> usize {
    read_back(path).0.len()
}

fn run_export(a: &Path, b: &Path, out: &Path) {
    let status = Command::new(BIN)
        .arg("match")
        .args(["--label", "client", "--label", "server"])
        .arg(a)
        .arg(b)
        .arg("--export-pcapng")
        .arg(out)
        .arg("--json")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run tracematch");
    assert!(status.success(), "tracematch match --export-pcapng failed");
}

fn check_export(a: &Path, b: &Path, out: &Path) {
    let (frames, interfaces, comments) = read_back(out);
    let (na, nb) = (frame_count(a), frame_count(b));
    assert_eq!(frames.len(), na + nb, "every packet of both captures");
    assert_eq!(interfaces, 2, "one interface per capture point");
    let on_iface = |i: u32| frames.iter().filter(|f| f.interface_id == i).count();
    assert_eq!((on_iface(0), on_iface(1)), (na, nb));
    assert_eq!(comments.len(), frames.len(), "a comment on every packet");
    let paired = comments
        .iter()
        .filter(|(_, c)| !c.contains("not seen"))
        .count();
    assert!(
        paired > 0,
        "some packets name a peer: {:?}",
        comments.first()
    );
    // A merge in corrected time order steps back in time no more often than the inputs do.
    let backsteps = |f: &[FrameMeta]| f.windows(2).filter(|w| w[1].ts_ns < w[0].ts_ns).count();
    let input_backsteps = backsteps(&read_back(a).0) + backsteps(&read_back(b).0);
    assert!(
        backsteps(&frames) <= input_backsteps,
        "packets merged in corrected time order: {} steps back, inputs have {input_backsteps}",
        backsteps(&frames)
    );
    tshark_check(out, frames.len(), &comments);
}

/// tshark opens the export and sees the same packets, interfaces and comments.
fn tshark_check(out: &Path, frames: usize, comments: &[(u32, String)]) {
    let tshark = Path::new("/usr/bin/tshark");
    if !tshark.exists() {
        eprintln!("SKIPPED tshark read-back: /usr/bin/tshark not installed");
        return;
    }
    let o = Command::new(tshark)
        .arg("-r")
        .arg(out)
        .args([
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-e",
            "frame.interface_id",
            "-e",
            "frame.comment",
        ])
        .output()
        .expect("run tshark");
    assert!(
        o.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), frames, "tshark packet count");
    for (row, (_, comment)) in rows.iter().zip(comments) {
        let mut cols = row.splitn(2, '\t');
        let iface = cols.next().unwrap_or("");
        assert!(iface == "0" || iface == "1", "interface {iface}");
        assert_eq!(cols.next().unwrap_or(""), comment.as_str());
    }
}

#[test]
fn demo_pair_exports_as_one_pcapng() {
    let dir = scratch("match_export_demo");
    let status = Command::new(BIN)
        .args(["synth", "demo"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run synth");
    assert!(status.success());
    let out = dir.join("pair.pcapng");
    run_export(&dir.join("client.pcap"), &dir.join("server.pcap"), &out);
    check_export(&dir.join("client.pcap"), &dir.join("server.pcap"), &out);
}

#[test]
fn twopoint_snat_pat_exports_as_one_pcapng() {
    let base = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"),
        PathBuf::from("/work/shared/captures"),
    ]
    .into_iter()
    .map(|p| p.join("twopoint/snat_pat"))
    .find(|p| p.join("client.pcap").exists());
    let Some(base) = base else {
        eprintln!("SKIPPED twopoint export: ../shared/captures not found");
        return;
    };
    let dir = scratch("match_export_snat");
    let out = dir.join("pair.pcapng");
    run_export(&base.join("client.pcap"), &base.join("server.pcap"), &out);
    check_export(&base.join("client.pcap"), &base.join("server.pcap"), &out);
}

#[test]
fn export_needs_exactly_two_captures() {
    let dir = scratch("match_export_usage");
    let out = dir.join("x.pcapng");
    let status = Command::new(BIN)
        .args(["match", "a.pcap", "b.pcap", "c.pcap", "--export-pcapng"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run tracematch");
    assert!(!status.success());
}
