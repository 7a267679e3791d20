#!/usr/bin/env bash
# Backchannel's own limits: maximum flows/s, latency at 80% of it, the cost of polling, memory with 100,000 pending
# requests and the time to ready after a restart with them.
#   bench/limits.sh [ES256|RS256|PS256]
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
build_all

log "1/4 maximum throughput ($ALG, 16 and 32 concurrent flows)"
start_ours "$ALG"
loadgen $OURS_URL "$RESULTS/limits-$ALG-max-c16.json" flows --concurrency 16 --duration 20 --warmup 10 > /dev/null || true
loadgen $OURS_URL "$RESULTS/limits-$ALG-max-c32.json" flows --concurrency 32 --duration 20 --warmup 10 > /dev/null || true
stop_server
max=$(node -e 'const r=process.argv.slice(1).map(p=>{try{return JSON.parse(require("fs").readFileSync(p)).flows.per_second}catch{return 0}});console.log(Math.max(...r))' \
  "$RESULTS/limits-$ALG-max-c16.json" "$RESULTS/limits-$ALG-max-c32.json")
rate=$(node -e "console.log(Math.round($max*0.8))")

log "2/4 latency at 80% of the maximum: $rate flows/s, open loop"
start_ours "$ALG"
loadgen $OURS_URL "$RESULTS/limits-$ALG-rate80.json" flows --rate "$rate" --concurrency 128 --duration 30 --warmup 10 > /dev/null || true
stop_server

log "3/4 polling: 10,000 pending requests polled at their 5 s interval"
start_ours "$ALG"
loadgen $OURS_URL "$RESULTS/limits-$ALG-polling.json" polling --pending 10000 --duration 30 --warmup 10 > /dev/null || true
stop_server

log "4/4 100,000 pending requests, then a restart"
start_ours "$ALG"
loadgen $OURS_URL "$RESULTS/limits-$ALG-pending100k.json" polling --pending 100000 --requested-expiry 3600 --duration 1 --warmup 0 --concurrency 32 > /dev/null || true
stop_server
started=$(date +%s%N)
start_ours "$ALG" 0
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
pending=$(curl -fsS "$OURS_URL/metrics" > /dev/null && echo ok)
stop_server
echo "{\"ready_after_restart_ms\": $ready_ms, \"max_flows_per_second\": $max, \"rate80\": $rate}" > "$RESULTS/limits-$ALG-restart.json"

node "$BENCH_DIR/tools/limits.mjs" "$ALG" "$RESULTS" "$RESULTS/limits-$ALG.json"
