#!/usr/bin/env bash
# Backchannel's entry point for people and CI.
#   ./build.sh run     start the provider on http://localhost:5000 with the embedded SQLite store and demo data
#   ./build.sh test    run the whole test suite (installs what the tests need first)
#   ./build.sh bench   run the benchmarks (see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release

need_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "==> Installing Node.js and npm from Debian (needed by the interoperability tests)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; else sudo apt-get update -qq && sudo apt-get install -y -qq nodejs npm; fi
  fi
}

need_postgres() {
  if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo "==> Installing PostgreSQL from Debian (needed by the PostgreSQL store tests)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql; else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; fi
  fi
}

need_haproxy() {
  if [ ! -x /usr/sbin/haproxy ]; then
    echo "==> Installing haproxy from Debian (needed by the multi-node tests)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq haproxy; else sudo apt-get update -qq && sudo apt-get install -y -qq haproxy; fi
  fi
}

need_browser_and_smtp() {
  if [ ! -x /usr/bin/chromium ] || ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    echo "==> Installing Chromium and aiosmtpd from Debian (needed by the portal's browser tests and the e-mail tests)"
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq chromium python3-aiosmtpd; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium python3-aiosmtpd; fi
  fi
}

npm_install() {
  local dir=$1
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "==> npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    touch "$dir/node_modules"
  fi
}

case "${1:-help}" in
  run)
    shift
    export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
    exec dotnet run --project src/Backchannel.Host -c "$configuration" -- "$@"
    ;;
  test)
    shift
    need_node
    need_postgres
    need_haproxy
    need_browser_and_smtp
    npm_install tests/interop/openid-client
    dotnet build Backchannel.slnx -c "$configuration" -nologo -clp:ErrorsOnly
    dotnet test Backchannel.slnx -c "$configuration" --no-build -nologo "$@"
    ;;
  bench)
    shift
    exec bench/run.sh "$@"
    ;;
  *)
    sed -n '2,6p' "$0"
    exit 2
    ;;
esac
