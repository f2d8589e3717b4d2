#!/usr/bin/env bash
# GET by id A/B of variants of one build: the work tree's published Release build started once per
# variant (each with its own copy of one seeded SQLite catalogue), all up at once and pinned to
# CPU 0, wrk -t1 -c8 on CPU 1; each warmed up (WARM, 60s), then ROUNDS (6) alternating 5 s rounds:
# req/s, p50/p99 and the server's CPU per request. Variants come one per line from VARIANTS_FILE
# (variants.txt here) as "name;ENV=v ENV2=v;extra serve arguments" (run in the variant's folder).
# Usage: bench/ab-get/run.sh [VARIANTS_FILE]   (needs wrk, taskset)
# At GOODS=1000000 it favours the second variant (one build listed twice: p99 8-15 against 3-5 ms),
# so compare variants there with bench/run, one Shop at a time (bench/README.md, "Tiering").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
variants=$(realpath "${1:-$here/variants.txt}")
cd "$here/../.."
rounds=${ROUNDS:-6} goods=${GOODS:-10000}
work=$(mktemp -d)
declare -a NAMES PORTS PIDS
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet publish src/Shop -c Release -o "$work/bin" >/dev/null
export SHOP_SECRET_KEY=bench-secret
SHOP_DATABASE=$work/seed.db dotnet "$work/bin/shop.dll" seed --goods "$goods" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
i=0
while IFS=';' read -r name envs args; do
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  w=$work/$name; mkdir -p "$w"; cp "$work"/seed.db* "$w/"
  port=$(free_port)
  # shellcheck disable=SC2086 # envs and args are word lists by design
  (cd "$w" && exec env SHOP_DATABASE="$w/seed.db" $envs taskset -c 0 dotnet "$work/bin/shop.dll" serve \
    --bind 127.0.0.1:$port --log-file "$w/shop.log" $args >/dev/null 2>&1) &
  NAMES[i]=$name; PORTS[i]=$port; PIDS[i]=$!; i=$((i+1))
done < "$variants"
hz=$(getconf CLK_TCK)
get() { taskset -c 1 wrk -t1 -c8 -d"$2" --latency -s bench/lua/shop.lua "http://127.0.0.1:$1" -- id goods="$goods"; }
for j in "${!NAMES[@]}"; do until curl -sf "http://127.0.0.1:${PORTS[j]}/healthz" >/dev/null; do sleep 0.2; done; done
for j in "${!NAMES[@]}"; do get "${PORTS[j]}" "${WARM:-60s}" >/dev/null; done
for r in $(seq "$rounds"); do
  for j in "${!NAMES[@]}"; do
    c=$(awk '{print $14+$15}' "/proc/${PIDS[j]}/stat")
    out=$(get "${PORTS[j]}" 5s)
    e=$(awk '{print $14+$15}' "/proc/${PIDS[j]}/stat")
    rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$out"); n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    echo "${NAMES[j]} round $r: $rps req/s, p50 $p50, p99 $p99, $(( (e-c)*10000000/hz/n ))e-1 us CPU per request"
  done
done
