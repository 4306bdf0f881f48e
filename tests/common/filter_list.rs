//! The display-filter differential list (`tests/expected/filters/filters.txt`, tshark's answers
//! next to it) shared by the filter tests.

use std::path::{Path, PathBuf};

/// The folder of the list and of tshark's expected results per capture.
pub fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/filters")
}

/// The filters of the list, in file order (comment lines left out).
pub fn filters() -> Vec<String> {
    let text = std::fs::read_to_string(expected_dir().join("filters.txt")).expect("filters.txt");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}
