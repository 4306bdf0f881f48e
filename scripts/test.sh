#!/usr/bin/env bash
# Every test the project has, in one command (what CI runs through .ci/run):
# setup, format, dependency policy (cargo deny: licenses, bans, sources), lints, native tests, wasm tests (Node, headless Chromium page, dedicated worker),
# the release web build, JavaScript unit tests and the end-to-end tests of the real page.
# Prints one summary; exits non-zero when any part failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

results=()
failed=0
step() {
  local name="$1"; shift
  say "$name"
  local start=$SECONDS
  "$@"
  local rc=$?
  local took=$((SECONDS - start))
  if [ $rc = 0 ]; then results+=("PASS  $name (${took}s)"); else results+=("FAIL  $name (exit $rc, ${took}s)"); failed=1; fi
  return $rc
}

export CHROMEDRIVER=/usr/bin/chromedriver
wasm_test() { cargo test --target wasm32-unknown-unknown --test wasm; }
wasm_in_browser() { WASM_BINDGEN_USE_BROWSER=1 wasm_test; }
wasm_in_worker() { WASM_BINDGEN_USE_DEDICATED_WORKER=1 wasm_test; }

if ! step "setup" bash scripts/setup.sh; then
  printf '%s\n' "${results[@]}"; exit 1
fi
step "cargo fmt --check" cargo fmt --check
step "cargo deny check licenses bans sources" cargo deny --log-level error check licenses bans sources
step "cargo clippy --all-targets -- -D warnings" cargo clippy --all-targets -- -D warnings
step "cargo clippy (wasm32: lib + tests/wasm.rs)" cargo clippy --target wasm32-unknown-unknown --lib --test wasm -- -D warnings
step "cargo test (all test binaries, --no-fail-fast)" cargo test --no-fail-fast
step "wasm tests in Node" wasm_test
step "wasm tests in headless Chromium" wasm_in_browser
step "wasm tests in a dedicated worker" wasm_in_worker
if step "release build (CLI + www/pkg)" bash scripts/build.sh; then
  built=1
else
  built=0
fi
step "JavaScript unit tests (node --test tests/js)" node --test tests/js/
if [ $built = 1 ]; then
  step "end-to-end page tests (node --test tests/e2e)" node --test --test-concurrency=1 tests/e2e/
else
  results+=("FAIL  end-to-end page tests (not run: the build failed)"); failed=1
fi

echo
echo "================ tracematch test summary ================"
printf '%s\n' "${results[@]}"
if [ $failed = 0 ]; then echo "ALL PASSED"; else echo "SOME PARTS FAILED"; fi
exit $failed
