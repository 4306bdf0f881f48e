#!/usr/bin/env bash
# Builds the release CLI (target/release/tracematch) and the page's wasm package (www/pkg/).
# Afterwards the repository root is the whole static site: index.html + www/; dist/tracematch.html is
# the same page as ONE self-contained file that works from file:// (scripts/single_file.mjs).
# Run scripts/setup.sh first (serve.sh and test.sh do).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "cargo build --release (CLI)"
cargo build --release --bin tracematch

# TRACEMATCH_QUICK=1 builds the wasm without LTO or wasm-opt (a few times faster to compile, slower
# to run): for iterating on the page. Tests and benchmarks use the default full build.
if [ "${TRACEMATCH_QUICK:-}" = 1 ]; then wasm_profile=quick; else wasm_profile=release; fi
say "cargo build --profile $wasm_profile --target wasm32-unknown-unknown --lib"
cargo build --profile "$wasm_profile" --target wasm32-unknown-unknown --lib

say "wasm-bindgen --target web --out-dir www/pkg"
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  "target/wasm32-unknown-unknown/$wasm_profile/tracematch.wasm"

wasm="www/pkg/tracematch_bg.wasm"
if [ "$wasm_profile" = quick ]; then
  say "quick build: skipping wasm-opt"
elif [ -x node_modules/.bin/wasm-opt ]; then
  say "wasm-opt -O3 (npm binaryen)"
  node_modules/.bin/wasm-opt -O3 "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
else
  say "wasm-opt not installed (run scripts/setup.sh): keeping the unoptimised wasm"
fi
# The open GeoIP database (npm devDependency @ip-location-db/geo-whois-asn-country-mmdb; data CC BY 4.0
# by the NRO, see www/geo/NRO_LICENSE) is copied into the site so country lookups work offline.
geo_pkg="node_modules/@ip-location-db/geo-whois-asn-country-mmdb"
rm -rf www/geo
if [ -f "$geo_pkg/geo-whois-asn-country.mmdb" ]; then
  mkdir -p www/geo
  cp "$geo_pkg/geo-whois-asn-country.mmdb" "$geo_pkg/NRO_LICENSE" "$geo_pkg/package.json" www/geo/
  say "GeoIP database copied to www/geo/ ($(du -h www/geo/geo-whois-asn-country.mmdb | cut -f1))"
else
  say "GeoIP database not installed (run scripts/setup.sh): the page asks for a .mmdb instead"
fi
say "node scripts/precache.mjs (www/precache.js: the service worker's file list)"
node scripts/precache.mjs
say "node scripts/single_file.mjs (dist/tracematch.html)"
node scripts/single_file.mjs dist/tracematch.html
say "build: ok — $(du -h "$wasm" | cut -f1) wasm in www/pkg/; serve the repository root"
