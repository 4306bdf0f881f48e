//! The `tracematch` command-line tool: see `tracematch --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let status = tracematch::cli::run(std::env::args_os().skip(1).collect());
    std::process::exit(status);
}

/// The CLI is native only; wasm32 builds of the crate (the page, `cargo test --target wasm32-…`)
/// still compile the binary target, which then does nothing.
#[cfg(target_arch = "wasm32")]
fn main() {}
