#!/usr/bin/env bash
# Two builds of Backchannel under the same full-flow load, alternately, in the same minutes: the change against a base
# build (another checkout, built in Release). Prints the median flows/s of each and their ratio.
#   BASE=/path/to/other/checkout bench/ab.sh [ES256|RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=10 ROUNDS=3 DELIVERY=poll)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-10} ROUNDS=${ROUNDS:-3} DELIVERY=${DELIVERY:-poll}
case $DELIVERY in poll) CLIENT=bench-client ;; ping) CLIENT=bench-ping ;; push) CLIENT=bench-push ;; *) echo "DELIVERY must be poll, ping or push" >&2; exit 2 ;; esac
: "${BASE:?set BASE to the checkout of the base build (e.g. a git worktree of main)}"
BASE_DLL="$BASE/src/Backchannel.Host/bin/Release/net10.0/Backchannel.Host.dll"
CURRENT_DLL="$HOST_DLL"

build_all
log "building the base at $BASE (Release)"
dotnet build "$BASE/src/Backchannel.Host" -c Release -nologo -clp:ErrorsOnly >&2
files=()
for round in $(seq 1 "$ROUNDS"); do
  for build in base current; do
    json="$RESULTS/ab-$ALG-$DELIVERY-$build-$round.json"
    if [ $build = base ]; then HOST_DLL=$BASE_DLL; else HOST_DLL=$CURRENT_DLL; fi
    log "round $round/$ROUNDS: $build, $ALG, $DELIVERY, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
    start_ours "$ALG"
    loadgen "$OURS_URL" "$json" flows --delivery "$DELIVERY" --client-id "$CLIENT" --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/loadgen-ab-$build-$round.txt" || true
    stop_server
    files+=("$build=$json")
  done
done

node "$BENCH_DIR/tools/ab.mjs" "$ALG" "$RESULTS/ab-$ALG-$DELIVERY.json" "${files[@]}"
