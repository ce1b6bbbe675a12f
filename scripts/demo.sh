#!/usr/bin/env bash
# npm run demo: installs what is missing (apt Chromium/Kerberos headers, Node 24, code-server), packages the .vsix,
# and starts a real VS Code on 127.0.0.1 with Hearth and a sample workspace. Extra arguments go to the demo
# (--port N, --exit-when-ready).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh
mkdir -p .test-state
node scripts/package.mjs --out .test-state/hearth-demo.vsix | tail -n 1
exec node out/tools/demo.js --vsix .test-state/hearth-demo.vsix "$@"
