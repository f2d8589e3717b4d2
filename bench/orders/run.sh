#!/usr/bin/env bash
# Orders accepted per second on the embedded SQLite default, and how fast the queue drains them.
# Usage: bench/orders/run.sh [SECONDS] [CONNECTIONS]   (needs wrk: apt-get install wrk)
# WARMUP=seconds (default 10) of the same load run first and are not counted: .NET compiles hot
# code again, optimised, in its first seconds under load (tiered compilation), and a cold run
# measures that instead of the service.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-32}
port=${PORT:-5099}
work=$(mktemp -d)
export SHOP_DATABASE="$work/shop.db" SHOP_LOG_FILE="$work/shop.log" SHOP_SECRET_KEY=bench-secret
password="bench password 123"
url="http://127.0.0.1:$port"

dotnet build src/Shop -c Release -o "$work/bin" >/dev/null
echo "$password" | dotnet "$work/bin/shop.dll" users create boss --role admin >/dev/null
dotnet "$work/bin/shop.dll" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "$url/healthz" >/dev/null; do sleep 0.2; done

token_of() {
  curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$url/api/v1/sessions" \
    | sed 's/.*"token":"\([^"]*\)".*/\1/'
}
admin=$(token_of boss)
goods=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"sku":"BENCH-1","name":"Bench tea","price":1.5,"stock":100000000}' "$url/api/v1/goods" | sed 's/^{"id":\([0-9]*\).*/\1/')
curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"shopper\",\"password\":\"$password\"}" "$url/api/v1/users" >/dev/null
export TOKEN=$(token_of shopper) GOODS_ID=$goods

count() { curl -sf -o /dev/null -D - -H "Authorization: Bearer $admin" "$url/api/v1/orders?per_page=1$1" | tr -d '\r' | sed -n 's/^X-Total-Count: //Ip'; }
pending() { count '&status=pending'; }
confirmed() { count '&status=confirmed'; }
total() { count ''; }

warmup=${WARMUP:-10}
if [ "$warmup" -gt 0 ]; then
  echo "== warm-up, not counted: ${warmup}s of GET and of POST"
  wrk -t2 -c"$connections" -d"${warmup}s" -H "Authorization: Bearer $TOKEN" "$url/api/v1/goods/$goods" >/dev/null
  wrk -t2 -c"$connections" -d"${warmup}s" -s bench/orders/place-order.lua "$url/api/v1/orders" >/dev/null
fi
echo "== baseline on this machine now: authenticated GET /api/v1/goods/$goods for 5s"
wrk -t2 -c"$connections" -d5s -H "Authorization: Bearer $TOKEN" "$url/api/v1/goods/$goods" | grep -E 'Latency|Requests/sec'
before=$(total); confirmed_before=$(confirmed)
echo "== POST /api/v1/orders for ${seconds}s with $connections connections"
wrk -t2 -c"$connections" -d"${seconds}s" -s bench/orders/place-order.lua "$url/api/v1/orders"

left=$(pending); start=$(date +%s.%N)
echo "== accepted $(( $(total) - before )) orders in the measured run, confirmed $(( $(confirmed) - confirmed_before )); $left still pending when the load stopped"
while [ "$(pending)" != "0" ]; do sleep 0.2; done
echo "== queue drained the backlog of $left in $(echo "$(date +%s.%N) - $start" | bc) s"
uptime
echo "== stock left: $(curl -sf "$url/api/v1/goods/$goods" | sed 's/.*"stock":\([0-9]*\).*/\1/') of 100000000"
