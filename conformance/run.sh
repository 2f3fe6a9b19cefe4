#!/usr/bin/env bash
# One command: start a throwaway CRM server on a fresh SQLite database and run the
# GraphQL-over-HTTP audit (graphql-http) against it. Exits with the audit's status
# (0 = no MUST failures, 1 = a MUST audit failed, other = the run itself failed).
#
#   conformance/run.sh
#
# Environment: CRM (the `crm` command; default `crm` on PATH),
# PORT (default: a free port), NODE/NPM (default `node`/`npm`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -z "${CRM:-}" ]]; then
  if command -v crm >/dev/null 2>&1; then CRM="$(command -v crm)"; else echo "crm not found: pip install -e . first, or set CRM=/path/to/crm" >&2; exit 2; fi
fi
[[ -x "$CRM" ]] || { echo "run.sh: no crm command at $CRM (set CRM=/path/to/crm)" >&2; exit 2; }
NODE="${NODE:-node}"
NPM="${NPM:-npm}"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/crm-conformance.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh database and a neutral working directory (so no stray .env changes the settings).
export CRM_DATABASE_URL="sqlite+aiosqlite:///${workdir}/crm.db"
export CRM_LOG_LEVEL="${CRM_LOG_LEVEL:-warning}"
cd "$workdir"

port="${PORT:-$("$NODE" -e '
  const s = require("net").createServer().listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close();
  });')}"
base="http://127.0.0.1:${port}"

CRM_API_KEY="$("$CRM" apikey create --name conformance | tail -n 1)"
export CRM_API_KEY

"$CRM" serve --host 127.0.0.1 --port "$port" --workers 1 >"$workdir/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 150); do
  if curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: the server exited during start-up:" >&2; cat "$workdir/server.log" >&2; exit 2
  fi
  sleep 0.2
done
if ! curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; then
  echo "run.sh: the server did not answer $base/healthz within 30s:" >&2
  cat "$workdir/server.log" >&2
  exit 2
fi

if [[ ! -d "$here/node_modules/graphql-http" ]]; then
  (cd "$here" && "$NPM" ci --no-audit --no-fund >&2)
fi

echo "Auditing $base/graphql with graphql-http $("$NODE" -p "require('$here/node_modules/graphql-http/package.json').version")"
status=0
URL="$base/graphql" "$NODE" "$here/http-audit.mjs" || status=$?
if [[ "$status" -ge 2 ]]; then
  echo "run.sh: server log:" >&2; cat "$workdir/server.log" >&2
fi
exit "$status"
