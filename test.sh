#!/usr/bin/env bash
# The one test command (README): installs what is missing, starts a throwaway PostgreSQL on loopback,
# restores the local dotnet tools (the tests start smtp4dev from them), runs every test, stops what it
# started, and ends with "N passed, N failed, N skipped".
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Communities"]
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results="$root/TestResults"
pg_port=${COMMUNITYAPP_TEST_PG_PORT:-25432}
source scripts/postgres.sh

log() { printf '\n== %s\n' "$*"; }

# Root (CI) installs with apt directly; a developer with sudo.
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

install_missing() {
  local need=()
  [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v chromium >/dev/null || need+=(chromium)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)  # the two-instance test's proxy (ScaleOutTests)
  command -v node >/dev/null || need+=(nodejs npm)
  fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
  if [ ${#need[@]} -gt 0 ]; then
    log "Installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

trap stop_postgres EXIT

started=$(date +%s)
install_missing
log "Starting a throwaway PostgreSQL on 127.0.0.1 (port $pg_port or the next free one)"
start_postgres "$pg_port"
export COMMUNITYAPP_TEST_POSTGRES="$PG_URL"

log "Installing the test OIDC provider (npm ci)"
(cd CommunityApp.Tests/OidcProvider && npm ci --silent --no-audit --no-fund)

log "Restoring the local dotnet tools (smtp4dev, the tests' SMTP server)"
dotnet tool restore >/dev/null

log "Building"
dotnet build CommunityApp.sln -c Release -nologo -v quiet

log "Running the tests"
rm -rf "$results"
set +e
# The test processes (and the app processes the start-up tests launch) live minutes at most and allocate a lot: dynamic
# PGO's instrumentation costs more than it wins in that time, and a 64 MB first generation collects far less often.
# Measured on this 2-core machine: the non-browser tests 126 → 108 s of CPU, two browser journeys 82 → 71 s.
DOTNET_TieredPGO=0 DOTNET_GCgen0size=0x4000000 \
  dotnet test CommunityApp.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@"
status=$?
set -e

# dotnet test prints no summary CI can read: count the TRX results.
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        o = r.get("outcome")
        if o == "Passed": p += 1
        elif o in ("NotExecuted", "Inconclusive"): s += 1
        else: f += 1
print(p, f, s)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a crash before any result still fails
log "Finished in $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
