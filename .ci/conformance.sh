#!/usr/bin/env bash
# Runs Microsoft's and Okta's published SCIM test suites (kept in ../shared/conformance, beside the
# checkout; a user's clone has none, and then this does nothing) against the Express example on an
# empty embedded store, prints the scores, and fails when a score drops below the best recorded in
# .ci/conformance-best.json. Each suite runs twice: against a directory set up for its own IdP (as a
# host would connect Entra or Okta) and against a `generic` one (the default profile).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SUITES="$(cd .. && pwd)/shared/conformance"
if [[ ! -x "$SUITES/run-microsoft.sh" && ! -f "$SUITES/run-microsoft.sh" ]]; then
  echo "conformance: no shared suites beside the checkout; skipped"
  exit 0
fi

PORT="${CONFORMANCE_PORT:-3917}"
TOKEN="scimkit_$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
BASE="http://127.0.0.1:$PORT/scim/v2"
LOG="$(mktemp)"; OUT="$(mktemp)"
SERVER_PID=""
stop_server() { if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
trap 'stop_server; rm -f "$LOG" "$OUT"' EXIT

start_server() {
  local data; data="$(mktemp -d)"
  (cd examples/express && PORT="$PORT" SCIMKIT_TOKEN="$TOKEN" SCIMKIT_DATA_DIR="$data" SCIMKIT_IDP="$1" exec node --conditions=source --import tsx src/main.ts) >"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 60); do
    grep -q "SCIM base URL:" "$LOG" && return 0
    sleep 0.5
  done
  echo "conformance: the example did not start:"; cat "$LOG"; exit 1
}

# score SUITE IDP: runs one suite on a fresh empty server whose directory is for IDP, and prints
# "SUITE-IDP PASSED TOTAL".
score() {
  local name="$1" idp="$2" passed failed
  start_server "$idp"
  set +e
  if [[ "$name" == microsoft ]]; then MS_FIXUPS=1 bash "$SUITES/run-microsoft.sh" "$BASE" "$TOKEN" >"$OUT" 2>&1
  else bash "$SUITES/run-okta.sh" "$BASE" "$TOKEN" >"$OUT" 2>&1; fi
  set -e
  stop_server
  # Reword the suites' own summary lines so they are not mistaken for this project's test summary.
  sed -E 's/^([0-9]+) passed, ([0-9]+) failed$/  suite summary: \1 ok, \2 not ok/' "$OUT" | sed 's/^/  | /' >&2
  passed=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed$' "$OUT" | tail -n1 | cut -d' ' -f1)
  failed=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed$' "$OUT" | tail -n1 | cut -d' ' -f3)
  [[ -n "$passed" ]] || { echo "conformance: $name produced no score"; exit 1; }
  echo "$name-$idp $passed $((passed + failed))"
}

SCORES=("$(score microsoft entra)" "$(score microsoft generic)" "$(score okta okta)" "$(score okta generic)")
node - "${SCORES[@]}" <<'JS'
const fs = require("fs");
const best = JSON.parse(fs.readFileSync(".ci/conformance-best.json", "utf8"));
let fail = false;
for (const line of process.argv.slice(2)) {
  const [name, passed, total] = line.split(" ");
  const floor = best[name] ?? 0;
  console.log(`conformance ${name}: ${passed}/${total} checks pass (best recorded: ${floor})`);
  if (Number(passed) < floor) { console.log(`conformance ${name}: below the best recorded score`); fail = true; }
}
process.exit(fail ? 1 : 0);
JS
