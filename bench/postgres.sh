#!/usr/bin/env bash
# Backchannel's full flows (poll) on its two stores, the embedded SQLite and PostgreSQL, alternately in the same minutes,
# ROUNDS rounds each. PostgreSQL 15 runs in a fresh cluster of its own on this machine (durable defaults: fsync and
# synchronous_commit on), with pg_stat_statements; each round gets a fresh database (and SQLite a fresh file). Prints
# the median flows/s of each store and their ratio, the CPU per flow of Backchannel and of PostgreSQL (all the
# cluster's processes, from /proc, over the load generator's measured window), the HTTP exchanges per flow, and the
# database round trips per flow: the TCP data segments the server received over the measured window divided by the flows
# completed in it, and the statements (pg_stat_statements calls, reset as the window opens) with the per-statement
# breakdown (the flow's statements travel in commit groups: several statements per round trip).
#   bench/postgres.sh [ES256|RS256|PS256]    (CONCURRENCY=16 DURATION=20 WARMUP=20 ROUNDS=3; the warm-up covers the JIT's tiering of the Npgsql path, about 25 s from start)
source "$(dirname "$0")/lib.sh"
ALG=${1:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-20} ROUNDS=${ROUNDS:-3}

cleanup() { stop_server; stop_postgres; }
trap cleanup EXIT

build_all
start_postgres
files=()
for round in $(seq 1 "$ROUNDS"); do
  for engine in sqlite postgres; do
    json="$RESULTS/postgres-$ALG-$engine-$round.json"
    log "round $round/$ROUNDS: backchannel on $engine, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
    if [ $engine = postgres ]; then
      pg_fresh_database
      rm -rf "$WORK/keys-postgres"
      OURS_EXTRA=(Backchannel__Storage__Provider=Postgres
        "Backchannel__Storage__ConnectionString=$(pg_connection_string)"
        "Backchannel__KeyProtection__KeysDirectory=$WORK/keys-postgres")
    else
      OURS_EXTRA=()
    fi
    start_ours "$ALG"
    WINDOW_PIDS=("backchannel=$SERVER_PID")
    loadgen_window "$OURS_URL" "$json" "${json%.json}-window.json" "$WORK/loadgen-postgres-$engine-$round.txt" \
      flows --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" || true
    stop_server
    files+=("$engine=$json")
  done
done

node "$BENCH_DIR/tools/scaleout.mjs" postgres "$ALG" "$RESULTS/postgres-$ALG.json" "${files[@]}"
