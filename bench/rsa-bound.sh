#!/usr/bin/env bash
# Backchannel's RSA flows against the signing bound, both measured in the same minutes (a cloud VM's speed drifts by
# 10% and more within an hour). Each round measures the JWT signing rate per core (every core signing at once, and one
# thread alone), then runs Backchannel's full flows with that algorithm, and prints flows per server core as a share
# of the bound 1 / (2 x sign(alg) + sign(ES256)) per core.
#   bench/rsa-bound.sh [RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=10 ROUNDS=3 SIGN_SECONDS=3)
source "$(dirname "$0")/lib.sh"
ALG=${1:-RS256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-10} ROUNDS=${ROUNDS:-3} SIGN_SECONDS=${SIGN_SECONDS:-3}
SIGNING_DLL="$ROOT/bench/Backchannel.Bench.Signing/bin/Release/net10.0/Backchannel.Bench.Signing.dll"

build_all
dotnet build "$ROOT/bench/Backchannel.Bench.Signing" -c Release -nologo -clp:ErrorsOnly >&2
files=()
for round in $(seq 1 "$ROUNDS"); do
  rates="$RESULTS/bound-$ALG-signing-$round.json"
  json="$RESULTS/bound-$ALG-flows-$round.json"
  log "round $round/$ROUNDS: signing rates (${SIGN_SECONDS}s per algorithm, all cores, then one thread)"
  dotnet "$SIGNING_DLL" --all-cores-only "$SIGN_SECONDS" > "$rates"
  log "round $round/$ROUNDS: backchannel, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
  start_ours "$ALG"
  loadgen "$OURS_URL" "$json" flows --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/loadgen-bound-$round.txt" || true
  stop_server
  files+=("$rates=$json")
done

node "$BENCH_DIR/tools/bound.mjs" "$ALG" "$RESULTS/bound-$ALG.json" "${files[@]}"
