//! The `tracematch` command-line tool.
fn main() {}
