//! The `tracematch` command line: thin subcommands over the library, tshark-like names.
//!
//! Exit status: 0 when the whole file was read; 2 when it is damaged or not a capture (what could be
//! read is still printed); 1 for usage errors. Messages go to stderr; output is deterministic.

mod analyzed;
mod args;
mod conv;
mod dns_cmd;
mod endpoints_cmd;
mod esp_cmd;
mod expert_cmd;
mod export_cmd;
mod fields_cmd;
mod filter_cmd;
mod follow_cmd;
mod graph_cmd;
mod http_cmd;
mod index_cmd;
mod info;
mod input;
mod match_cmd;
mod merge_cmd;
mod phs_cmd;
mod session_cmd;
mod stats_cmd;
mod synth_cmd;

use std::io::Write;

pub use args::UsageError;

/// Exit status: the whole input was read.
pub const EXIT_OK: i32 = 0;
/// Exit status: usage error.
pub const EXIT_USAGE: i32 = 1;
/// Exit status: damaged input or not a capture.
pub const EXIT_DAMAGED: i32 = 2;

const USAGE: &str = "usage: tracematch <command> [options]

commands:
  info FILE                         format, interfaces, link types, packets, bytes, time span
  fields FILE [--header] [-Y FILTER] -e FIELD...
                                    one tab-separated line per (matching) frame (tshark -T fields)
  filter FILE FILTER                numbers of the frames matching a display filter (tshark -Y)
  conv FILE tcp|udp|ip [--json]     conversation table
  follow FILE tcp|udp STREAM [--format raw|ascii|hex|yaml] [--node 0|1]
                                    reassembled stream, as tshark -z follow
  http FILE [STREAM] [--json] [--max-body N]  HTTP/1.x messages with decoded bodies
  export FILE [-Y FILTER] [--stream tcp:N|udp:N [--lot N]] [--conversation A,B] [--frames 1-10,15]
         [--time START..END] [-F pcap|pcapng] [--keylog FILE] -w OUT
                                    write the selected packets as stored (OUT - = stdout; default pcapng)
  export-objects FILE DIR           save every HTTP body into DIR
  synth demo DIR | synth hostile DIR | synth bulk OUT [--bytes N[K|M|G]] [--streams N] [--seed N] [--pair OUT_B]
                                    the project's own generated captures (demo pair, benchmark)
  match [--label NAME]... A B [C ...] [--json|--tsv] [--missing-syn|--lost|--flow|--packet-diff]
                                    match streams across captures of the same traffic
        [--export-pcapng OUT]       (two captures) also write the matched pair as one pcapng
  merge A B [C ...] -w OUT [--order]
                                    all packets in time order as one pcapng (mergecap -w); --order
                                    prints INPUT<TAB>FRAME per packet
  session FILE STREAM [--json]      TCP session details and packet lots of one tcp.stream
  stats FILE [--interval 1s] [--filter EXPR] [-Y FILTER] [--csv] [--busy] [--top N]
                                    counters per interval (tshark -z io,stat); EXPR: tcp.stream==N,
                                    udp.stream==N, ip.addr==A, port==N, esp.spi==0xN, tcp|udp|icmp|arp|dns|esp|ip|ipv6
                                    or any display filter; --top N: the N biggest IP sources per interval
  esp FILE [--csv] [--interval 1s]  ESP per SPI and direction: loss, reordering, duplicates (per interval)
  endpoints FILE [--json] [--geoip DB.mmdb]
                                    IP endpoints (CSV); --geoip adds country, asn, as_org
  dns FILE [--json]                 DNS transactions (CSV)
  expert FILE [--json]              Expert Info summary of the TCP analysis
  phs FILE [--json]                 protocol hierarchy (tshark -z io,phs)
  graph FILE STREAM --kind stevens|tcptrace|throughput|rtt|window [--node 0|1] [--csv|--json]
                                    TCP stream graph series of one direction (node 0: first packet's)
  index FILE [--json] [--chunk N] [--memory-budget SIZE] [--cold-dir DIR]
                                    index as the page does; report MB/s, packets/s, bytes/packet, peak RSS;
                                    SIZE (e.g. 2G) bounds index, reassembly and bodies (default 8G)

FILE may be - for standard input.";

/// Runs the CLI with `args` (without the program name); returns the exit status.
pub fn run(args: Vec<std::ffi::OsString>) -> i32 {
    let mut args = args.into_iter();
    let Some(cmd) = args.next() else {
        eprintln!("{USAGE}");
        return EXIT_USAGE;
    };
    let rest: Vec<std::ffi::OsString> = args.collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = match cmd.to_str().unwrap_or("") {
        "info" => info::run(rest, &mut out),
        "conv" => conv::run(rest, &mut out),
        "fields" => fields_cmd::run(rest, &mut out),
        "filter" => filter_cmd::run(rest, &mut out),
        "follow" => follow_cmd::run(rest, &mut out),
        "http" => http_cmd::run(rest, &mut out),
        "export" => export_cmd::run(rest, &mut out),
        "export-objects" => http_cmd::run_export(rest, &mut out),
        "index" => index_cmd::run(rest, &mut out),
        "session" => session_cmd::run(rest, &mut out),
        "stats" => stats_cmd::run(rest, &mut out),
        "esp" => esp_cmd::run(rest, &mut out),
        "endpoints" => endpoints_cmd::run(rest, &mut out),
        "dns" => dns_cmd::run(rest, &mut out),
        "expert" => expert_cmd::run(rest, &mut out),
        "graph" => graph_cmd::run(rest, &mut out),
        "phs" => phs_cmd::run(rest, &mut out),
        "synth" => synth_cmd::run(rest, &mut out),
        "match" => match_cmd::run(rest, &mut out),
        "merge" => merge_cmd::run(rest, &mut out),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return EXIT_OK;
        }
        other => Err(UsageError(format!("unknown command '{other}'")).into()),
    };
    let flushed = out.flush();
    match result {
        Ok(status) => {
            if let Err(e) = flushed {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("tracematch: cannot write output: {e}");
                    return EXIT_DAMAGED;
                }
            }
            status
        }
        Err(CliError::Usage(u)) => {
            eprintln!("tracematch: {}\n\n{USAGE}", u.0);
            EXIT_USAGE
        }
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(CliError::Io(e)) => {
            eprintln!("tracematch: {e}");
            EXIT_DAMAGED
        }
    }
}

/// What a subcommand can fail with (damage in the capture is not an error: it is an exit status).
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments.
    Usage(UsageError),
    /// Reading the input or writing the output failed.
    Io(std::io::Error),
}

impl From<UsageError> for CliError {
    fn from(u: UsageError) -> Self {
        CliError::Usage(u)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<lexopt::Error> for CliError {
    fn from(e: lexopt::Error) -> Self {
        CliError::Usage(UsageError(e.to_string()))
    }
}

/// The exit status for a pipeline that ended with `error` (reported on stderr).
pub(crate) fn finish_status(path: &str, error: Option<&crate::capture::CaptureError>) -> i32 {
    match error {
        None => EXIT_OK,
        Some(e) => {
            eprintln!("tracematch: {path}: {e}");
            EXIT_DAMAGED
        }
    }
}
