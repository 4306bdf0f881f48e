#!/usr/bin/env bash
# Sets up, builds, writes the demo capture pair into www/demo/ and serves the page:
#   bash scripts/serve.sh [PORT]     → http://127.0.0.1:PORT (default 8080)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
port="${1:-8080}"

bash scripts/setup.sh
bash scripts/build.sh

say "tracematch synth demo www/demo"
mkdir -p www/demo
if target/release/tracematch synth demo www/demo && compgen -G "www/demo/*.pcap*" >/dev/null; then
  # The page's "Open demo captures" button reads this list (same-origin fetch, no other request).
  (cd www/demo && ls -1 -- *.pcap* | node -e '
    const names = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    process.stdout.write(JSON.stringify({ captures: names }, null, 1) + "\n");') > www/demo/index.json
  say "demo captures: $(cd www/demo && ls -1 -- *.pcap* | tr '\n' ' ')"
else
  rm -f www/demo/index.json
  say "no demo captures: this build's CLI has no working 'tracematch synth demo' yet; serving without them"
fi

say "serving $REPO_ROOT on http://127.0.0.1:$port/ (Ctrl-C stops)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$REPO_ROOT"
