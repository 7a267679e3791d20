#!/usr/bin/env bash
# Sign and verify rates of RS256, PS256 and ES256 on this machine (BenchmarkDotNet), and the bound they put on flows/s.
#   bench/signing.sh [--quick]
source "$(dirname "$0")/lib.sh"
mkdir -p "$RESULTS"
dotnet run -c Release --project "$ROOT/bench/Backchannel.Bench.Signing" -- "$@" --summary-json "$RESULTS/signing.json"
