#!/usr/bin/env bash
# The pages benchmark, on demand (not part of ./test.sh): a throwaway PostgreSQL, a generated community at each size
# (1,000,000 awards with their history, 100,000 shares, notifications, 100,000 audit entries), each page and action
# timed through the app and through hand-written SQL doing the same work, interleaved; then the daily decay pass.
# Usage: ./bench.sh [member counts …]   e.g. ./bench.sh 5000 50000 500000
#        (BENCH_DECAY_MAX_MEMBERS=N skips the decay pass above N members; BENCH_ONLY=award,shares runs only the
#        operations whose names contain one of the words; with COMMUNITYAPP_BENCH_POSTGRES set to a server you keep,
#        that server is used instead of a throwaway one, and BENCH_REUSE=1 reuses the community generated there before;
#        the throwaway server gets BENCH_PG_SHARED_BUFFERS of shared buffers, 4GB unless set)
#        ./bench.sh councils             the council page over 1,000 councils and 100,000 ledger lines
#        ./bench.sh pools                the distribution preview over 10,000 needs
#        ./bench.sh forum                a forum thread of 5,000 posts opening (first page and a deep page)
#        ./bench.sh rings                the trust-ring detector: AUC on planted rings, compute time at 50,000 members
#        ./bench.sh health               the health dashboard over 50,000 members, 1,000,000 awards and 100,000 shares
#        ./bench.sh circuits [N …]       N real Blazor circuits held on the community home, beside the Blazor template with
#                                        MudBlazor (CommunityApp.Bench/Baseline), e.g. ./bench.sh circuits 1000 5000 10000;
#                                        add "baseline" or "community" to measure only one of them
set -euo pipefail
cd "$(dirname "$0")"
source scripts/postgres.sh
if [[ -z "${COMMUNITYAPP_BENCH_POSTGRES:-}" ]]; then
  trap stop_postgres EXIT
  # Buffers sized as a production server's would be (a quarter of this machine's memory is 6 GB): with the default
  # 128 MB the 500,000-member data (5.5 million notifications among it) is read from the OS's cache, page by page.
  PG_EXTRA_OPTIONS="-c shared_buffers=${BENCH_PG_SHARED_BUFFERS:-4GB}"
  start_postgres "${COMMUNITYAPP_BENCH_PG_PORT:-25452}"
  export COMMUNITYAPP_BENCH_POSTGRES="$PG_URL"
fi
if [[ "${1:-}" == "circuits" ]]; then
  # Every circuit holds a WebSocket on both ends of loopback; each app runs as its own Release process.
  ulimit -n 100000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  dotnet build -c Release -nologo -v quiet CommunityApp.Bench/Baseline/BlazorBaseline.csproj
fi
dotnet run -c Release --project CommunityApp.Bench -- "$@"
