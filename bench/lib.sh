# Shared by the bench scripts: build, start and stop the two servers, run the load generator.
# Ports: Backchannel 5100, node-oidc-provider 5101, the generator's device listener 5200.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="${RESULTS:-$BENCH_DIR/results}"
WORK="${WORK:-${TMPDIR:-/tmp}/backchannel-bench}"
LOADGEN="$ROOT/bench/Backchannel.LoadGen/bin/Release/net10.0/Backchannel.LoadGen.dll"
HOST_DLL="${HOST_DLL:-$ROOT/src/Backchannel.Host/bin/Release/net10.0/Backchannel.Host.dll}"
PEER_DIR="$ROOT/bench/peers/node-oidc-provider"
OURS_URL=http://127.0.0.1:5100
PEER_URL=http://127.0.0.1:5101
DEVICE_URL=http://127.0.0.1:5200/notify
CLIENT_NOTIFY_URL=http://127.0.0.1:5200/client-notify # ping and push clients: the generator plays their endpoint
SERVER_PID=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

build_all() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing Node.js and npm from Debian (the peer and the report scripts need them)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; else sudo apt-get update -qq && sudo apt-get install -y -qq nodejs npm; fi
  fi
  log "building Backchannel and the load generator (Release)"
  dotnet build "$ROOT/src/Backchannel.Host" -c Release -nologo -clp:ErrorsOnly >&2
  dotnet build "$ROOT/bench/Backchannel.LoadGen" -c Release -nologo -clp:ErrorsOnly >&2
  if [ ! -d "$PEER_DIR/node_modules" ] || [ "$PEER_DIR/package-lock.json" -nt "$PEER_DIR/node_modules" ]; then
    log "installing the node-oidc-provider peer (npm ci)"
    npm ci --prefix "$PEER_DIR" --no-audit --no-fund --loglevel=error >&2
    touch "$PEER_DIR/node_modules"
  fi
  mkdir -p "$RESULTS" "$WORK"
}

wait_ready() { # url
  for _ in $(seq 1 300); do
    if curl -fs -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  log "server did not become ready at $1"; return 1
}

# Hooks for start_ours; left empty, start_ours does what it always did.
OURS_EXTRA=()           # more settings, as NAME=VALUE environment assignments; they override the defaults below
OURS_LISTEN=""          # listen (and wait for readiness) here instead of $OURS_URL; the issuer stays $OURS_URL unless OURS_EXTRA sets Backchannel__Issuer
OURS_LOG=""             # the server's output goes here instead of $WORK/backchannel.log

# Backchannel with its embedded SQLite store (WAL, durable), the bench clients (bench-client: poll, bench-ping, bench-push)
# and user, the http device channel; plain HTTP to loopback notification endpoints allowed (the generator is local).
start_ours() { # alg [fresh=1]
  local alg=$1 fresh=${2:-1}
  [ "$fresh" = 1 ] && rm -rf "$WORK/db" 
  mkdir -p "$WORK/db"
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  Backchannel__Issuer=$OURS_URL \
  Backchannel__Storage__ConnectionString="Data Source=$WORK/db/backchannel.db" \
  Backchannel__Tokens__SigningAlgorithm="$alg" \
  Backchannel__Channels__Http__Url=$DEVICE_URL \
  Backchannel__Channels__Http__Token=bench-device-token \
  Backchannel__Ciba__MaxRequestsPerUserPerMinute=0 \
  Backchannel__Ciba__MaxExpirySeconds=3600 \
  Backchannel__Clients__0__client_id=bench-client \
  Backchannel__Clients__0__client_secret=bench-secret \
  Backchannel__Clients__0__backchannel_token_delivery_mode=poll \
  Backchannel__Clients__1__client_id=bench-ping \
  Backchannel__Clients__1__client_secret=bench-secret \
  Backchannel__Clients__1__backchannel_token_delivery_mode=ping \
  Backchannel__Clients__1__backchannel_client_notification_endpoint=$CLIENT_NOTIFY_URL \
  Backchannel__Clients__2__client_id=bench-push \
  Backchannel__Clients__2__client_secret=bench-secret \
  Backchannel__Clients__2__backchannel_token_delivery_mode=push \
  Backchannel__Clients__2__backchannel_client_notification_endpoint=$CLIENT_NOTIFY_URL \
  Backchannel__Notifications__AllowHttp=true \
  Backchannel__Notifications__AllowPrivateNetworks=true \
  Backchannel__Users__0__sub=alice \
  Backchannel__Users__0__username=alice \
  Backchannel__Users__0__email=alice@example.com \
    nohup env "${OURS_EXTRA[@]}" dotnet "$HOST_DLL" --urls "${OURS_LISTEN:-$OURS_URL}" > "${OURS_LOG:-$WORK/backchannel.log}" 2>&1 &
  SERVER_PID=$!
  wait_ready "${OURS_LISTEN:-$OURS_URL}/health/ready"
}

start_peer() { # alg
  (cd "$PEER_DIR" && PORT=5101 ALG="$1" DEVICE_URL=$DEVICE_URL DEVICE_TOKEN=bench-device-token CIBA_MAX_EXPIRY=3600 \
    nohup node server.mjs > "$WORK/peer.log" 2>&1) &
  SERVER_PID=$!
  wait_ready "$PEER_URL/.well-known/openid-configuration"
  # the subshell's child is node; report node's own pid
  SERVER_PID=$(pgrep -n -f "node server.mjs")
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

loadgen() { # url json-path args...
  local url=$1 json=$2; shift 2
  dotnet "$LOADGEN" "$@" --provider "$url" --device-listen $DEVICE_URL --server-pid "$SERVER_PID" --json "$json" --quiet
}

# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL for bench/postgres.sh and bench/nodes.sh: Debian's PostgreSQL 15 in a fresh cluster under $WORK/pg, on
# 127.0.0.1:5433 (or the next free port), with the durable defaults (fsync, synchronous_commit, full_page_writes on)
# and pg_stat_statements loaded. PostgreSQL refuses to run as root: as root, its programs run as the postgres user.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_ROOT=""              # the cluster's directory while it runs (data/, run/ for the socket, server.log)
PG_PORT=""
PG_DB=backchannel

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

port_free() { [ -z "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]; }

# psql against the cluster over its socket (not TCP: the bench's TCP counts see only the servers' connections).
pg_sql() { # database sql
  PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -h "$PG_ROOT/run" -p "$PG_PORT" -U postgres -d "$1" -X -Atq -v ON_ERROR_STOP=1 -c "$2"
}

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    log "installing PostgreSQL from Debian (postgresql)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql; else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; fi
  fi
  PG_PORT=${PG_PORT:-5433}
  while ! port_free "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
  PG_ROOT="$WORK/pg"
  if [ -f "$PG_ROOT/data/postmaster.pid" ]; then # left running by a run that was killed
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_ROOT"
  mkdir -p "$PG_ROOT/data" "$PG_ROOT/run"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$PG_ROOT"; fi
  log "starting PostgreSQL 15 on 127.0.0.1:$PG_PORT (durable defaults, pg_stat_statements), data in $PG_ROOT/data"
  as_postgres "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-instructions >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; return 1; }
  as_postgres tee -a "$PG_ROOT/data/postgresql.conf" >/dev/null <<CONF
# bench/lib.sh: what the bench needs; everything else (fsync, synchronous_commit, full_page_writes, ...) is the default
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_ROOT/run'
max_connections = 300
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
CONF
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 start >/dev/null \
    || { cat "$PG_ROOT/server.log" >&2; return 1; }
  pg_sql postgres "CREATE EXTENSION pg_stat_statements" # in the admin database: the product's database stays as it makes it
}

stop_postgres() {
  if [ -n "$PG_ROOT" ] && [ -f "$PG_ROOT/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    cp "$PG_ROOT/server.log" "$WORK/postgres.log" 2>/dev/null || true
    rm -rf "$PG_ROOT"
  fi
  PG_ROOT=""
}

# An empty database $PG_DB (dropped first, with any session still on it).
pg_fresh_database() {
  pg_sql postgres "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
  pg_sql postgres "CREATE DATABASE $PG_DB"
}

pg_connection_string() { echo "Host=127.0.0.1;Port=$PG_PORT;Database=$PG_DB;Username=postgres"; }

# ---------------------------------------------------------------------------------------------------------------------
# CPU and database counters over the load generator's measured window. What runs at the window's edges forks as little
# as it can (a fork and exec takes 10 ms here idle, more under load): builtins, one ss, and a psql kept open.

CLK_TCK=$(getconf CLK_TCK)

read_ticks() { # pid [with-children] -> TICKS: utime + stime of the process (plus cutime + cstime: its children that have ended)
  local s
  local -a f
  TICKS=0
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
  s=${s##*) }
  f=($s) # the fields after the command's name: numbers and a state letter
  if [ -n "${2:-}" ]; then TICKS=$((f[11] + f[12] + f[13] + f[14])); else TICKS=$((f[11] + f[12])); fi
}

# -> TICKS: all the processes of the cluster: the postmaster, with its children that have ended, and every live child.
read_cluster_ticks() {
  local pm total=0 child children=""
  read -r pm < "$PG_ROOT/data/postmaster.pid"
  if [ -r "/proc/$pm/task/$pm/children" ]; then read -r children < "/proc/$pm/task/$pm/children" || true; else children=$(pgrep -P "$pm" || true); fi
  for child in $children; do read_ticks "$child"; total=$((total + TICKS)); done
  read_ticks "$pm" children
  TICKS=$((total + TICKS))
}

# Data segments the cluster's server side received on its TCP port: one per client write, i.e. per round trip (Npgsql
# sends a round trip's messages in one write). Counts the connections open at the time (the pools keep theirs).
read_tcp_segments_in() { # -> SEGMENTS
  local line
  SEGMENTS=0
  while read -r line; do
    if [[ $line =~ data_segs_in:([0-9]+) ]]; then SEGMENTS=$((SEGMENTS + BASH_REMATCH[1])); fi
  done <<<"$(ss -Htin state established "( sport = :$PG_PORT )" 2>/dev/null)"
}

WINDOW_PIDS=()          # name=pid: the processes whose CPU loadgen_window reports (with the generator's, "loadgen", and
                        # the cluster's, "postgres", when PostgreSQL runs)
LOADGEN_PID=""

window_snapshot() { # file
  local entry lines="time $EPOCHREALTIME"
  for entry in "${WINDOW_PIDS[@]}"; do read_ticks "${entry#*=}"; lines+=$'\n'"cpu:${entry%%=*} $TICKS"; done
  if [ -n "$LOADGEN_PID" ]; then read_ticks "$LOADGEN_PID"; lines+=$'\n'"cpu:loadgen $TICKS"; fi
  if [ -n "$PG_ROOT" ]; then
    read_cluster_ticks; lines+=$'\n'"cpu:postgres $TICKS"
    read_tcp_segments_in; lines+=$'\n'"tcp_segments_in $SEGMENTS"
  fi
  printf '%s\n' "$lines" > "$1"
}

# The statements the product's database ran since the last reset, as one line of JSON (jsonb has no line breaks):
# [{calls, rows, exec_ms, query}], the most called first.
PG_STATEMENTS_SQL="SELECT coalesce(jsonb_agg(s ORDER BY s.calls DESC), '[]'::jsonb)::text FROM (
  SELECT calls, rows, round(total_exec_time::numeric, 3) AS exec_ms, regexp_replace(query, '\s+', ' ', 'g') AS query
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$PG_DB')) s"

# One SQL command to the open psql (PSQL coproc); its one-line answer -> REPLY.
psql_ask() {
  REPLY=""
  [ -n "${PSQL[1]:-}" ] || return 0
  printf '%s;\n' "${1//$'\n'/ }" >&"${PSQL[1]}" || return 0
  read -r -t 30 REPLY <&"${PSQL[0]}" || true
}

# The load generator as loadgen() runs it (flows at the server, the device listener), but with its progress read as it
# runs: as the measured window opens, the CPU of WINDOW_PIDS, of the generator and of the PostgreSQL cluster is read and
# pg_stat_statements is reset; as it closes, they are read again. Writes window-json: the window's wall seconds, the
# CPU seconds of each process in it, and (with PostgreSQL running) the statements the product's database ran
# (pg_stat_statements calls, per statement) and the TCP data segments its server received, and how long the readings
# at each edge took (edges_ms; in this order: pg_stat_statements, the processes' CPU, the cluster's, TCP). --server-pid
# is passed when SERVER_PID is set. The generator's pid is LOADGEN_PID while it runs. Its progress goes to stderr (and
# to $WORK/<window-json's name>.progress).
loadgen_window() { # url json window-json stdout-file args...
  local url=$1 json=$2 window=$3 out=$4; shift 4
  local err="$WORK/$(basename "$window" .json).progress" server_args=() statements='null' line rc=0 t0
  [ -n "$SERVER_PID" ] && server_args=(--server-pid "$SERVER_PID")
  rm -f "$window" "$window.start" "$window.end"
  : > "$err"
  if [ -n "$PG_ROOT" ]; then
    coproc PSQL { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -h "$PG_ROOT/run" -p "$PG_PORT" -U postgres -d postgres -X -Atq -f - 2>&1; }
    psql_ask "SELECT 1" # connected before the window opens
  fi
  dotnet "$LOADGEN" "$@" --provider "$url" --device-listen $DEVICE_URL "${server_args[@]}" --json "$json" > "$out" 2> "$err" &
  LOADGEN_PID=$!
  # The readings at the edges run ahead of the load (as root): a fork waits for a core otherwise
  renice -n -10 -p "$BASHPID" ${PSQL_PID:-} > /dev/null 2>&1 || true
  # tail blocks on the file (inotify) and ends with the generator: nothing polls during the window
  while IFS= read -r line; do
    case $line in
      *"measured window over"*)
        t0=$EPOCHREALTIME
        if [ -n "$PG_ROOT" ]; then psql_ask "$PG_STATEMENTS_SQL"; statements=${REPLY:-null}; fi
        window_snapshot "$window.end"
        echo "took $t0 $EPOCHREALTIME" >> "$window.end"
        ;;
      *"measured window "[0-9]*)
        t0=$EPOCHREALTIME
        if [ -n "$PG_ROOT" ]; then psql_ask "SELECT pg_stat_statements_reset()"; fi
        window_snapshot "$window.start"
        echo "took $t0 $EPOCHREALTIME" >> "$window.start"
        ;;
    esac
    printf '  loadgen: %s\n' "$line" >&2
  done < <(tail -n +1 -F --pid="$LOADGEN_PID" "$err" 2>/dev/null)
  wait "$LOADGEN_PID" || rc=$?
  renice -n 0 -p "$BASHPID" > /dev/null 2>&1 || true
  if [ -n "${PSQL_PID:-}" ]; then
    local psql_pid=$PSQL_PID
    if [ -n "${PSQL[1]:-}" ]; then eval "exec ${PSQL[1]}>&-"; fi
    wait "$psql_pid" 2>/dev/null || true
  fi
  if [ -f "$window.start" ] && [ -f "$window.end" ]; then
    STATEMENTS=$statements awk -v tck="$CLK_TCK" '
      FNR == NR { start[$1] = $2; if ($1 == "took") startTook = $3 - $2; next }
      { end[$1] = $2; order[++n] = $1; if ($1 == "took") endTook = $3 - $2 }
      END {
        printf "{\n  \"seconds\": %.3f,\n", end["time"] - start["time"]
        printf "  \"edges_ms\": { \"start\": %.1f, \"end\": %.1f },\n", startTook * 1000, endTook * 1000
        printf "  \"cpu_seconds\": {"
        sep = ""
        for (i = 1; i <= n; i++) if (order[i] ~ /^cpu:/) {
          printf "%s\n    \"%s\": %.2f", sep, substr(order[i], 5), (end[order[i]] - start[order[i]]) / tck; sep = ","
        }
        printf "\n  }"
        if ("tcp_segments_in" in end) printf ",\n  \"pg_tcp_segments_in\": %d", end["tcp_segments_in"] - start["tcp_segments_in"]
        printf ",\n  \"pg_statements\": %s\n}\n", ENVIRON["STATEMENTS"]
      }' "$window.start" "$window.end" > "$window"
    rm -f "$window.start" "$window.end"
  else
    log "the load generator's measured window was not seen (exit code $rc): see $err"
  fi
  LOADGEN_PID=""
  return $rc
}

trap stop_server EXIT
