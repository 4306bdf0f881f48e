#!/usr/bin/env bash
# Fuzzing campaign (not part of CI): builds the cargo-fuzz targets in fuzz/ on nightly, seeds their
# corpora from the public captures (read in place, never copied into the repository) and the
# project's synthetic captures, then runs each target for SECONDS_PER_TARGET (default 120) with
# one process (no -jobs/-workers: other builders share the cores), and prints libFuzzer's final figures per target (executions, cov, ft, crashes).
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]
#   FUZZ_SKIP_BUILD=1 bash scripts/fuzz.sh ...   (reuse the last build)
#
# Needs: `rustup toolchain install nightly`, `cargo install cargo-fuzz`.
# Crashes land in fuzz/artifacts/<target>/; minimise with
#   cargo +nightly fuzz tmin <target> <file>
# and commit the result under tests/fuzz_regressions/<target>/ with a test in tests/fuzz_regressions.rs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

secs="${1:-120}"
shift || true
all=(capture_reader decode defrag tcp_follow http filter matching)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 1; }
rustup toolchain list | grep -q '^nightly' || { echo "nightly missing: rustup toolchain install nightly" >&2; exit 1; }

captures=""
for c in "$PWD/../shared/captures" /work/shared/captures; do
  [ -d "$c/public" ] && { captures="$c"; break; }
done

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  say "cargo +nightly fuzz build"
  cargo +nightly fuzz build -O
fi
bin=fuzz/target/x86_64-unknown-linux-gnu/release

if [ ! -d fuzz/corpus/capture_reader ]; then
  say "seeding fuzz/corpus (captures: ${captures:-none found, synthetic seeds only})"
  "$bin/seed_corpus" \
    fuzz/corpus tests/expected/filters/filters.txt ${captures:+"$captures/public" "$captures/twopoint"}
fi

set +e
mkdir -p fuzz/logs
summary=()
for t in "${targets[@]}"; do
  say "fuzz $t for ${secs}s"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log="fuzz/logs/$t.log"
  # -rss_limit_mb: the core's own bounds keep memory far below this; hitting it is a finding.
  # The built target binary runs directly (`cargo fuzz run` would rebuild after any source edit).
  "$bin/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)"
  last="$(grep -E '#[0-9]+.*(cov|ft):' "$log" | tail -1)"
  cov="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")"
  corpus="$(ls "fuzz/corpus/$t" | wc -l)"
  crashes="$(ls "fuzz/artifacts/$t" 2>/dev/null | grep -cE '^(crash|timeout|oom|leak)-')"
  summary+=("$(printf '%-15s %6ss  execs %-10s cov %-6s ft %-6s corpus %-6s crashes %s (exit %s)' \
    "$t" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes" "$rc")")
done
echo
echo "================ fuzz summary ================"
printf '%s\n' "${summary[@]}"
