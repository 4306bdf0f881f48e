//! Shared helpers for integration tests: locating the public corpus and its tshark oracles, and
//! (in `builders`) byte-literal capture builders.

#![allow(dead_code)]

mod builders;
pub mod filter_list;
pub mod io_oracle;
#[allow(unused_imports)]
pub use builders::*;

use std::path::PathBuf;

/// The shared captures folder (`../shared/captures` next to the repository), or None with a
/// printed SKIPPED line naming the test.
pub fn captures_dir(test: &str) -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for c in [
        here.join("../shared/captures"),
        PathBuf::from("/work/shared/captures"),
    ] {
        if c.join("public/MANIFEST.tsv").exists() {
            return Some(c);
        }
    }
    eprintln!("SKIPPED {test}: ../shared/captures not found (public corpus absent)");
    None
}

/// The capture files of the public corpus, sorted by path, or None with a printed SKIPPED line
/// naming the test.
pub fn public_capture_files(test: &str) -> Option<Vec<PathBuf>> {
    let public = captures_dir(test)?.join("public");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&public)
        .expect("captures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.ends_with("MANIFEST.tsv"))
        .collect();
    files.sort();
    Some(files)
}

/// One row of MANIFEST.tsv.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    /// File name in public/.
    pub file: String,
    /// Packets tshark could read.
    pub packets: u64,
    /// Link types column.
    pub link_types: String,
}

/// Reads MANIFEST.tsv.
pub fn manifest(captures: &std::path::Path) -> Vec<ManifestRow> {
    let text = std::fs::read_to_string(captures.join("public/MANIFEST.tsv")).expect("manifest");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (f, p, l) = (col("file"), col("packets"), col("link_types"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Vec<&str> = line.split('\t').collect();
            ManifestRow {
                file: v[f].to_string(),
                packets: v[p].parse().unwrap_or(0),
                link_types: v[l].to_string(),
            }
        })
        .collect()
}

/// A TSV file as (header, rows); every row has the header's width (short rows are padded).
pub fn read_tsv(path: &std::path::Path) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.split('\n');
    let header: Vec<String> = lines.next()?.split('\t').map(str::to_string).collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut v: Vec<String> = l.split('\t').map(str::to_string).collect();
            v.resize(header.len(), String::new());
            v
        })
        .collect();
    Some((header, rows))
}
