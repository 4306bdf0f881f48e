#!/usr/bin/env bash
# Installs what building and testing need, skipping what is already there (idempotent).
# Needs: Debian, Rust (rustup, cargo), Node 20+ with npm. Uses apt-get only when Chromium is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# 1. The wasm32 target (an explicit step: a toolchain file's `targets` is not installed here).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI and test runner at exactly the version Cargo.lock pins.
want="$(lock_version wasm-bindgen)"
[ -n "$want" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
have_cli="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
have_runner="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_cli" != "$want" ] || [ "$have_runner" != "$want" ]; then
  say "cargo install wasm-bindgen-cli $want (have: '${have_cli}' / '${have_runner}'; takes ~5 min)"
  # No --locked: the CLI's own lockfile pins a crate version the registry may not serve.
  cargo install wasm-bindgen-cli --version "=$want" --no-default-features --force
fi

# 3. Headless Chromium and its driver (wasm browser tests and the end-to-end tests).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "apt-get install chromium chromium-driver"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# 4. npm devDependencies (playwright-core drives Chromium; binaryen provides wasm-opt), reinstalled
#    only when package.json or package-lock.json changed since the last install.
stamp="node_modules/.tracematch-stamp"
digest="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  say "npm install (devDependencies)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  echo "$digest" > "$stamp"
fi
# 5. cargo-deny (licenses, bans and sources of the dependency tree; run by scripts/test.sh).
if ! cargo deny --version >/dev/null 2>&1; then
  say "cargo install cargo-deny (takes a few minutes)"
  cargo install cargo-deny --locked
fi
say "setup: ok (wasm-bindgen $want, $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version))"
