//! The `tracematch` command-line tool: see `tracematch --help`.

fn main() {
    let status = tracematch::cli::run(std::env::args_os().skip(1).collect());
    std::process::exit(status);
}
