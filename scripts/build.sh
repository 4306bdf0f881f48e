#!/usr/bin/env bash
# Builds the release CLI (target/release/tracematch) and the page's wasm package (www/pkg/).
# Afterwards the repository root is the whole static site: index.html + www/.
# Run scripts/setup.sh first (serve.sh and test.sh do).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "cargo build --release (CLI)"
cargo build --release --bin tracematch

say "cargo build --release --target wasm32-unknown-unknown --lib"
cargo build --release --target wasm32-unknown-unknown --lib

say "wasm-bindgen --target web --out-dir www/pkg"
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  target/wasm32-unknown-unknown/release/tracematch.wasm

wasm="www/pkg/tracematch_bg.wasm"
if [ -x node_modules/.bin/wasm-opt ]; then
  say "wasm-opt -O3 (npm binaryen)"
  node_modules/.bin/wasm-opt -O3 "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
else
  say "wasm-opt not installed (run scripts/setup.sh): keeping the unoptimised wasm"
fi
say "build: ok — $(du -h "$wasm" | cut -f1) wasm in www/pkg/; serve the repository root"
