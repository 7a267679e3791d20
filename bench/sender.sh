#!/usr/bin/env bash
# The cost of sender-constrained tokens: Backchannel under the same full-flow load (poll) three ways, alternately, a
# fresh server each time: plain (client_secret_basic, bearer tokens), dpop (the same client, every token request with a
# fresh ES256 DPoP proof: one signature verification and one jti write per request, DPoP-bound tokens) and mtls
# (tls_client_auth over the https alias listener, connections reused, certificate-bound tokens). Prints the median of
# each and the ratios dpop/plain and mtls/plain; writes results/sender-ALG.json.
#   bench/sender.sh [ROUNDS]    (CONCURRENCY=16 DURATION=20 WARMUP=10, ROUNDS=3; ALG=ES256 signs the tokens; MTLS_PORT=5443)
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-${ROUNDS:-3}}
ALG=${ALG:-ES256}
CONCURRENCY=${CONCURRENCY:-16} DURATION=${DURATION:-20} WARMUP=${WARMUP:-10} MTLS_PORT=${MTLS_PORT:-5443}
MTLS_BASE=https://127.0.0.1:$MTLS_PORT
MTLS_DIR="$WORK/mtls"
MTLS_CLIENT_DN="CN=bench-mtls-client, O=Backchannel Bench, C=GB"

# A CA, the alias listener's server certificate (127.0.0.1) and the client's certificate, all P-256, from that CA.
make_certificates() {
  rm -rf "$MTLS_DIR" && mkdir -p "$MTLS_DIR"
  local d=$MTLS_DIR ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 7 -subj "/CN=Backchannel Bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 7 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$d/client.key" -out "$d/client.csr" -subj "/C=GB/O=Backchannel Bench/CN=bench-mtls-client" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > "$d/client.ext"
  openssl x509 -req -in "$d/client.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 7 -extfile "$d/client.ext" -out "$d/client.pem" 2>/dev/null
}

# start_ours with, for mtls, an http listener on 5100 and the https alias listener, mutual TLS on, and bench-mtls.
start_mode() { # mode
  OURS_EXTRA=()
  if [ "$1" = mtls ]; then
    OURS_EXTRA=(
      Kestrel__Endpoints__Http__Url=$OURS_URL
      Kestrel__Endpoints__Mtls__Url=$MTLS_BASE
      Kestrel__Endpoints__Mtls__Certificate__Path="$MTLS_DIR/server.pem"
      Kestrel__Endpoints__Mtls__Certificate__KeyPath="$MTLS_DIR/server.key"
      Backchannel__Mtls__Enabled=true
      Backchannel__Mtls__BaseUrl=$MTLS_BASE
      Backchannel__Mtls__TrustedCaFile="$MTLS_DIR/ca.pem"
      Backchannel__Clients__3__client_id=bench-mtls
      Backchannel__Clients__3__token_endpoint_auth_method=tls_client_auth
      "Backchannel__Clients__3__tls_client_auth_subject_dn=$MTLS_CLIENT_DN"
      Backchannel__Clients__3__backchannel_token_delivery_mode=poll
      Backchannel__Clients__3__tls_client_certificate_bound_access_tokens=true
    )
  fi
  start_ours "$ALG"
}

build_all
if ! port_free "$MTLS_PORT"; then log "port $MTLS_PORT (the mutual-TLS alias listener) is in use: set MTLS_PORT"; exit 2; fi
make_certificates
files=()
for round in $(seq 1 "$ROUNDS"); do
  for mode in plain dpop mtls; do
    json="$RESULTS/sender-$ALG-$mode-$round.json"
    case $mode in
      plain) args=(--client-id bench-client) ;;
      dpop) args=(--client-id bench-client --dpop) ;;
      mtls) args=(--client-id bench-mtls --mtls-cert "$MTLS_DIR/client.pem" --mtls-key "$MTLS_DIR/client.key" --mtls-base "$MTLS_BASE" --mtls-server-ca "$MTLS_DIR/ca.pem") ;;
    esac
    log "round $round/$ROUNDS: backchannel, $mode, $ALG, $CONCURRENCY concurrent flows, ${WARMUP}s warm-up + ${DURATION}s"
    start_mode $mode
    loadgen "$OURS_URL" "$json" flows "${args[@]}" --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" > "$WORK/loadgen-sender-$mode-$round.txt" || true
    stop_server
    files+=("$mode=$json")
  done
done

node "$BENCH_DIR/tools/sender.mjs" "$ALG" "$RESULTS/sender-$ALG.json" "${files[@]}"
