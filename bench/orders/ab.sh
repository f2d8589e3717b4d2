#!/usr/bin/env bash
# Orders A/B: the work tree ("new") against a commit ("old"), both servers up at once (published
# Release builds, service and access logs on, each on its own database), warmed up, then ROUNDS
# (6) alternating 5 s rounds of wrk -t2 -c64 one-line orders, unpinned, each round waiting until
# the queue is drained: accepted/s and the server's CPU per accepted order, confirming included.
# Usage: bench/orders/ab.sh REV   (needs wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:?usage: bench/orders/ab.sh REV}
rounds=${ROUNDS:-6}
work=$(mktemp -d)
git worktree add --detach "$work/old-tree" "$rev" >/dev/null
password="bench password 123"
declare -A PORT PID URL TOKENS GOODS ADMIN
trap 'kill "${PID[@]}" 2>/dev/null; git worktree remove --force "$work/old-tree"; rm -rf "$work"' EXIT
i=0
for t in new old; do
  d=$PWD; [ $t = old ] && d=$work/old-tree
  w=$work/$t; mkdir -p $w
  (cd $d && dotnet publish src/Shop -c Release -o $w/bin >/dev/null)
  port=$((5201+i)); i=$((i+1)); PORT[$t]=$port; URL[$t]="http://127.0.0.1:$port"
  export SHOP_DATABASE=$w/shop.db SHOP_SECRET_KEY=bench-secret
  echo "$password" | dotnet $w/bin/shop.dll users create boss --role admin >/dev/null 2>&1
  dotnet $w/bin/shop.dll serve --bind 127.0.0.1:$port --log-file $w/shop.log --access-logfile $w/access.log >/dev/null 2>&1 &
  PID[$t]=$!
done
for t in new old; do until curl -sf ${URL[$t]}/healthz >/dev/null; do sleep 0.2; done; done
token_of() { curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"$password\"}" "$1/api/v1/sessions" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
for t in new old; do
  u=${URL[$t]}; ADMIN[$t]=$(token_of $u boss)
  GOODS[$t]=$(curl -sf -H "Authorization: Bearer ${ADMIN[$t]}" -H 'Content-Type: application/json' -d '{"sku":"B-1","name":"Bench tea","price":1.5,"stock":1000000000}' $u/api/v1/goods | sed 's/^{"id":\([0-9]*\).*/\1/')
  curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"shopper\",\"password\":\"$password\"}" $u/api/v1/users >/dev/null
  TOKENS[$t]=$(token_of $u shopper)
done
total() { curl -sf -o /dev/null -D - -H "Authorization: Bearer ${ADMIN[$1]}" "${URL[$1]}/api/v1/orders?per_page=1${2:-}" | tr -d '\r' | sed -n 's/^X-Total-Count: //Ip'; }
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' /proc/${PID[$1]}/stat; }
run() { TOKEN=${TOKENS[$1]} GOODS_ID=${GOODS[$1]} wrk -t2 -c64 -d$2 -s bench/orders/place-order.lua ${URL[$1]}/api/v1/orders; }
for t in new old; do run $t 30s >/dev/null; done
for t in new old; do run $t 20s >/dev/null; done
for r in $(seq $rounds); do
  for t in new old; do
    while [ "$(total $t '&status=pending')" != "0" ]; do sleep 0.1; done
    b=$(total $t); c=$(ticks $t)
    run $t 5s >/dev/null
    while [ "$(total $t '&status=pending')" != "0" ]; do sleep 0.05; done
    a=$(total $t); e=$(ticks $t)
    n=$((a-b)); echo "$t round $r: $((n/5)) accepted/s, $(( (e-c)*1000000 / hz / n )) us CPU per order"
  done
done
