# Throwaway PostgreSQL on loopback for the tests and the benchmark. Source it, then:
#   start_postgres PORT   (exports PG_URL, a Npgsql connection string to the "postgres" database;
#                          if PORT is taken it tries the next nine)
#   stop_postgres         (also run on exit by the caller's trap)
# PG_EXTRA_OPTIONS adds server settings ("-c shared_buffers=4GB"); the benchmark sets it.
# Root (CI) runs the server as the postgres user; a developer runs it as themselves.

if [ "$(id -u)" -eq 0 ]; then AS_PG="runuser -u postgres --"; else AS_PG=""; fi

start_postgres() {
  local port=$1 bin
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
  PG_BIN=$bin
  PG_DIR=$(mktemp -d /tmp/communityapp-pg.XXXXXX)
  [ -z "$AS_PG" ] || chown postgres "$PG_DIR"
  $AS_PG "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  # Everyone is trusted except one role that must give its password, so the start-up tests can see a wrong one refused.
  sed -i '1i host all communityapp_password_check 127.0.0.1/32 scram-sha-256' "$PG_DIR/data/pg_hba.conf"
  local try
  for try in 0 1 2 3 4 5 6 7 8 9; do
    if $AS_PG "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $((port + try)) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -k $PG_DIR ${PG_EXTRA_OPTIONS:-}" start >/dev/null; then
      export PG_URL="Host=127.0.0.1;Port=$((port + try));Username=postgres;Database=postgres"
      return 0
    fi
    echo "PostgreSQL could not use port $((port + try)); trying the next one" >&2
  done
  cat "$PG_DIR/log" >&2
  return 1
}

stop_postgres() {
  if [ -n "${PG_BIN:-}" ]; then
    $AS_PG "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
