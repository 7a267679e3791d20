#!/usr/bin/env bash
# Backchannel in its three token delivery modes: poll, ping (the generator plays the client's notification endpoint,
# then redeems at /token) and push (the tokens are delivered to that endpoint). Alternately, three rounds; prints the
# median of each. node-oidc-provider is not in this table: it has no push mode, and registers a ping endpoint only
# over https.
#   bench/modes.sh [ES256|RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=10 ROUNDS=3)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-10} ROUNDS=${ROUNDS:-3}

build_all
files=()
for round in $(seq 1 "$ROUNDS"); do
  for mode in poll ping push; do
    json="$RESULTS/modes-$ALG-$mode-$round.json"
    client=bench-$mode; [ $mode = poll ] && client=bench-client
    log "round $round/$ROUNDS: backchannel, $mode mode, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
    start_ours "$ALG"
    loadgen "$OURS_URL" "$json" flows --delivery $mode --client-id $client --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/loadgen-$mode-$round.txt" || true
    stop_server
    files+=("$mode=$json")
  done
done

node "$BENCH_DIR/tools/modes.mjs" "$ALG" "$RESULTS/modes-$ALG.json" "${files[@]}"
