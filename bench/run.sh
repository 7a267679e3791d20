#!/usr/bin/env bash
# Backchannel against node-oidc-provider 9.x: the same load on the same machine, alternately, three times; prints the
# median flows per second of each and their ratio.
#   bench/run.sh [ES256|RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=10 ROUNDS=3)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-10} ROUNDS=${ROUNDS:-3}

build_all
files=()
for round in $(seq 1 "$ROUNDS"); do
  for server in backchannel node-oidc-provider; do
    json="$RESULTS/run-$ALG-$server-$round.json"
    log "round $round/$ROUNDS: $server, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
    if [ $server = backchannel ]; then start_ours "$ALG"; url=$OURS_URL; else start_peer "$ALG"; url=$PEER_URL; fi
    loadgen "$url" "$json" flows --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/loadgen-$server-$round.txt" || true
    stop_server
    files+=("$server=$json")
  done
done

node "$BENCH_DIR/tools/compare.mjs" "$ALG" "$RESULTS/run-$ALG.json" "${files[@]}"
