#!/usr/bin/env bash
# Flows per second against concurrency (1, 4, 16, 64) for Backchannel and node-oidc-provider; writes a chart.
#   bench/sweep.sh [ES256|RS256|PS256]    (LEVELS="1 4 16 64" DURATION=15 WARMUP=10)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
LEVELS=${LEVELS:-"1 4 16 64"} DURATION=${DURATION:-15} WARMUP=${WARMUP:-10}

build_all
files=()
for server in backchannel node-oidc-provider; do
  if [ $server = backchannel ]; then start_ours "$ALG"; url=$OURS_URL; else start_peer "$ALG"; url=$PEER_URL; fi
  for c in $LEVELS; do
    json="$RESULTS/sweep-$ALG-$server-c$c.json"
    log "$server, $ALG, concurrency $c"
    loadgen "$url" "$json" flows --concurrency "$c" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/sweep-$server-$c.txt" || true
    files+=("$server=$c=$json")
  done
  stop_server
done

node "$BENCH_DIR/tools/chart.mjs" "$ALG" "$RESULTS/sweep-$ALG.svg" "$RESULTS/sweep-$ALG.json" "${files[@]}"
