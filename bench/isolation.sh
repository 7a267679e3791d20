#!/usr/bin/env bash
# One slow client must not slow anyone else: 1,500 approved requests of a ping client whose notification endpoint never
# answers (a black hole), then, while those pings hang, the full-flow load of another (poll) client; reports how long
# that client's users wait for their device prompt (the "notification" row: from the bc-authorize answer to the
# device notification's arrival), p50/p99/max. With BASE=<checkout> it measures that build too, in the same run.
#   bench/isolation.sh [COUNT=1500] [DURATION=20]
source "$(dirname "$0")/lib.sh"
COUNT=${COUNT:-1500} DURATION=${DURATION:-20}
HANG_PORT=5201 FORWARD_PORT=5202

run_one() { # label dll
  local label=$1
  HOST_DLL=$2
  rm -rf "$WORK/db"; mkdir -p "$WORK/db"
  coproc PEERS { python3 -u "$BENCH_DIR/tools/isolation_peers.py" $HANG_PORT 5200 "http://127.0.0.1:$FORWARD_PORT/notify" $OURS_URL bench-hung bench-secret "$COUNT"; }
  read -r line <&"${PEERS[0]}"   # peers ready
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Logging__LogLevel__Polly=Error \
  Backchannel__Issuer=$OURS_URL Backchannel__Storage__ConnectionString="Data Source=$WORK/db/backchannel.db" \
  Backchannel__Tokens__SigningAlgorithm=ES256 \
  Backchannel__Channels__Http__Url=$DEVICE_URL Backchannel__Channels__Http__Token=bench-device-token \
  Backchannel__Ciba__MaxRequestsPerUserPerMinute=0 Backchannel__Ciba__MaxExpirySeconds=3600 \
  Backchannel__Clients__0__client_id=bench-client Backchannel__Clients__0__client_secret=bench-secret \
  Backchannel__Clients__0__backchannel_token_delivery_mode=poll \
  Backchannel__Clients__1__client_id=bench-hung Backchannel__Clients__1__client_secret=bench-secret \
  Backchannel__Clients__1__backchannel_token_delivery_mode=ping \
  Backchannel__Clients__1__backchannel_client_notification_endpoint=http://127.0.0.1:$HANG_PORT/hang \
  Backchannel__Notifications__AllowHttp=true Backchannel__Notifications__AllowPrivateNetworks=true \
  Backchannel__Users__0__sub=alice Backchannel__Users__0__username=alice \
    nohup dotnet "$HOST_DLL" --urls $OURS_URL > "$WORK/backchannel-isolation-$label.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$OURS_URL/health/ready"
  echo go >&"${PEERS[1]}"
  read -r line <&"${PEERS[0]}"; log "$label: $line"
  dotnet "$LOADGEN" flows --provider "$OURS_URL" --device-listen "http://127.0.0.1:$FORWARD_PORT/notify" --server-pid "$SERVER_PID" \
    --json "$RESULTS/isolation-$label.json" --quiet --concurrency 16 --duration "$DURATION" --warmup 2 > "$WORK/loadgen-isolation-$label.txt" || true
  stop_server
  echo done >&"${PEERS[1]}"; kill "$PEERS_PID" 2>/dev/null || true; wait "$PEERS_PID" 2>/dev/null || true
  python3 - "$label" "$RESULTS/isolation-$label.json" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
row = next(e for e in report["endpoints"] if e["name"] == "notification")
flows = report["flows"]
print(f"| {label} | {row['latency_ms']['p50']:.1f} | {row['latency_ms']['p99']:.1f} | {row['latency_ms']['max']:.1f} | {flows.get('completed')} | {flows.get('failed')} |")
PY
}

build_all
echo "| build | device prompt p50 ms | p99 ms | max ms | flows completed | failed |" > "$WORK/isolation-table.txt"
echo "| --- | ---: | ---: | ---: | ---: | ---: |" >> "$WORK/isolation-table.txt"
if [ -n "${BASE:-}" ]; then
  dotnet build "$BASE/src/Backchannel.Host" -c Release -nologo -clp:ErrorsOnly >&2
  run_one base "$BASE/src/Backchannel.Host/bin/Release/net10.0/Backchannel.Host.dll" >> "$WORK/isolation-table.txt"
fi
run_one current "$HOST_DLL" >> "$WORK/isolation-table.txt"
printf '\n%s hung pings, then %s s of full flows of another client (16 concurrent):\n\n' "$COUNT" "$DURATION"
cat "$WORK/isolation-table.txt"
