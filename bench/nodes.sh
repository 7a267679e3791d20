#!/usr/bin/env bash
# Two Backchannel nodes (ports 5100 and 5102) on one PostgreSQL, behind haproxy (port 5110, round robin, health check
# /health/ready); the load generator drives full flows (poll) through haproxy: the issuer is haproxy's URL, the device
# service is the generator's listener (both nodes notify it). PostgreSQL 15 runs in a fresh cluster of its own (durable
# defaults); each round gets a fresh database and fresh nodes. Prints flows/s and the p99 of each step, the CPU seconds
# each process used over the measured window (node 1, node 2, haproxy, PostgreSQL with all its processes, the load
# generator) and per flow, then the per-flow CPU cost of each part and the flows/s N nodes on N machines would reach.
#   bench/nodes.sh [ES256|RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=20 ROUNDS=1;
#                                          NODE_CORES, DB_CORES, LB_CORES: the model's machines, default this one's cores)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-20} ROUNDS=${ROUNDS:-1}
HAPROXY=/usr/sbin/haproxy
LB_PORT=5110
LB_URL=http://127.0.0.1:$LB_PORT
NODE_PORTS=(5100 5102)
NODE_PIDS=()
HAPROXY_PID=""

stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do SERVER_PID=$pid; stop_server; done
  NODE_PIDS=()
  if [ -n "$HAPROXY_PID" ]; then
    kill -TERM "$HAPROXY_PID" 2>/dev/null || true
    wait "$HAPROXY_PID" 2>/dev/null || true
    HAPROXY_PID=""
  fi
}
cleanup() { stop_nodes; stop_server; stop_postgres; }
trap cleanup EXIT

if [ ! -x "$HAPROXY" ]; then
  log "installing haproxy from Debian"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq haproxy; else sudo apt-get update -qq && sudo apt-get install -y -qq haproxy; fi
fi
build_all
start_postgres

# Round robin over the two nodes, keep-alive on both sides (haproxy's default), a node out of the rotation after two
# failed checks of /health/ready a second apart.
cat > "$WORK/haproxy.cfg" <<CFG
global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch

frontend backchannel
    bind 127.0.0.1:$LB_PORT
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /health/ready
    default-server inter 1s fall 2 rise 2
    server node1 127.0.0.1:${NODE_PORTS[0]} check
    server node2 127.0.0.1:${NODE_PORTS[1]} check
CFG
"$HAPROXY" -c -q -f "$WORK/haproxy.cfg"

files=()
for round in $(seq 1 "$ROUNDS"); do
  json="$RESULTS/nodes-$ALG-$round.json"
  log "round $round/$ROUNDS: two nodes behind haproxy on PostgreSQL, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
  pg_fresh_database
  rm -rf "$WORK/keys-nodes"
  for i in 0 1; do
    # the same settings on both nodes, as a deployment gives them: one database, one key ring, the balancer's URL as issuer
    OURS_EXTRA=(Backchannel__Issuer=$LB_URL
      Backchannel__Storage__Provider=Postgres
      "Backchannel__Storage__ConnectionString=$(pg_connection_string)"
      "Backchannel__KeyProtection__KeysDirectory=$WORK/keys-nodes")
    OURS_LISTEN=http://127.0.0.1:${NODE_PORTS[$i]}
    OURS_LOG=$WORK/node$((i + 1)).log
    start_ours "$ALG"
    NODE_PIDS+=("$SERVER_PID")
  done
  OURS_EXTRA=() OURS_LISTEN="" OURS_LOG="" SERVER_PID=""
  "$HAPROXY" -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  wait_ready "$LB_URL/health/ready"
  WINDOW_PIDS=("node1=${NODE_PIDS[0]}" "node2=${NODE_PIDS[1]}" "haproxy=$HAPROXY_PID")
  loadgen_window "$LB_URL" "$json" "${json%.json}-window.json" "$WORK/loadgen-nodes-$round.txt" \
    flows --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" || true
  stop_nodes
  files+=("$json")
done

node "$BENCH_DIR/tools/scaleout.mjs" nodes "$ALG" "$RESULTS/nodes-$ALG.json" "${files[@]}"
