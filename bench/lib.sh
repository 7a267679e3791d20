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
    nohup dotnet "$HOST_DLL" --urls $OURS_URL > "$WORK/backchannel.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$OURS_URL/health/ready"
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

trap stop_server EXIT
