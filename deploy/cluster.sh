#!/usr/bin/env bash
# A Shop cluster on this machine in one command, for trying Shop as a cluster and for the tests:
# the database, N Shop instances on it and nginx in front with the shipped deploy/nginx/shop.conf,
# all on loopback ports, everything (data, logs, pids, secrets) in one folder of its own.
#
#   deploy/cluster.sh up [--instances N] [--workers W] [--port PORT] [--dir DIR] [--build DIR]
#   deploy/cluster.sh status [--dir DIR]
#   deploy/cluster.sh upgrade [--dir DIR] [--build DIR]
#   deploy/cluster.sh down [--dir DIR]
#
# up       builds Shop once (dotnet publish into DIR/builds/; --build uses a folder holding shop.dll
#          instead), applies the migrations once, creates the admin (its password in a mode-600 file),
#          starts N instances (default 3) and nginx on PORT (default: the first free one from 8080),
#          and prints the URL, the admin and where every log is.
# status   says what runs (exit 0 when everything does, 3 when something does not).
# upgrade  builds again (or takes --build), applies the new build's migrations once, then replaces
#          the instances one at a time: TERM (the instance drains), start the new build on the same
#          port, wait for /readyz, next. nginx sends requests to the others meanwhile.
# down     stops exactly the processes up started, by the pids it recorded; data and logs stay.
#
# The database is a SQLite file shared by the instances (several processes on one file are
# supported; one writes at a time). The only tools needed are bash, coreutils, nginx and dotnet.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:-}
[ $# -gt 0 ] && shift
dir=$repo/.cluster
instances=3
workers=1
port=
build=
drain_delay=2s

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
fail() { echo "cluster.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --instances) instances=${2:?--instances needs a number}; shift 2 ;;
    --workers) workers=${2:?--workers needs a number}; shift 2 ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    --build) build=${2:?--build needs a folder holding shop.dll}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "cluster.sh: error: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $instances =~ ^[1-9][0-9]?$ ]] || fail "--instances must be 1 to 99 (got '$instances')"
[[ $workers =~ ^[1-9][0-9]?$ ]] || fail "--workers must be 1 to 99 (got '$workers')"
[ -z "$port" ] || [[ $port =~ ^[0-9]+$ ]] || fail "--port must be a port number (got '$port')"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
run=$dir/run logs=$dir/logs state=$dir/cluster.env

# --- small helpers --------------------------------------------------------------------------

# Whether something accepts connections on 127.0.0.1:$1 (bash's /dev/tcp: no curl needed).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 up that nobody listens on and no other part of this cluster took.
taken=" "
free_port() {
  local p=$1
  while listening "$p" || [[ $taken == *" $p "* ]]; do p=$((p + 1)); done
  taken+="$p "
  echo "$p"
}

# The HTTP status of GET $2 on 127.0.0.1:$1, or 000 when nothing answers.
http_status() {
  local status=000
  { exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 &&
    read -r -t 5 _ status _ <&3; } 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  echo "${status:-000}"
}

port_closed() { ! listening "$1"; }

dead() { ! alive "$1"; }

# Whether process $1 runs (a zombie, dead but not yet reaped by its parent, does not).
alive() {
  local stat
  [ -n "${1:-}" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) && [[ ${stat##*) } != Z* ]]
}

# When process $1 started (clock ticks since boot, /proc/PID/stat field 22): with the pid, it
# names one process for good (a pid is reused by other programs; a start time with it is not).
started_at() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  awk '{ print $20 }' <<<"$stat"
}

# The pid recorded under $run/$1.pid if that very process still runs, else nothing.
running_pid() {
  local file=$run/$1.pid pid since
  [ -f "$file" ] || return 0
  read -r pid since <"$file"
  alive "$pid" && [ "$(started_at "$pid")" = "$since" ] && echo "$pid"
  return 0
}

record() { echo "$2 $(started_at "$2")" >"$run/$1.pid"; }

# Sends $2 to the recorded process $1 and waits up to $3 s for it to exit, then kills it.
stop_process() {
  local name=$1 signal=$2 limit=$3 pid
  pid=$(running_pid "$name")
  if [ -n "$pid" ]; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq $((limit * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      echo "  $name (pid $pid) did not stop within $limit s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait_until 10 dead "$pid" || true
    fi
    echo "  stopped $name (pid $pid)"
  fi
  rm -f "$run/$name.pid"
}

wait_until() { # seconds command...
  local limit=$1
  shift
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}

is_dotnet() { [[ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" == dotnet\ * ]]; }

ready() { [ "$(http_status "$1" /readyz)" = 200 ]; }

nginx_binary() {
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } ||
    fail "nginx is not installed (apt-get install nginx)"
}

# Publishes src/Shop into a new folder under $dir/builds and prints that folder.
publish() {
  local out
  out=$dir/builds/$(date +%Y%m%d-%H%M%S)
  mkdir -p "$dir/builds"
  echo "Building Shop into $out (log: $logs/build.log)..." >&2
  dotnet publish "$repo/src/Shop" -c Release -o "$out" --nologo >"$logs/build.log" 2>&1 ||
    fail "dotnet publish failed; see $logs/build.log"
  echo "$out"
}

build_folder() {
  if [ -n "$build" ]; then
    [ -f "$build/shop.dll" ] || fail "--build: no shop.dll in '$build'"
    (cd "$build" && pwd)
  else
    publish
  fi
}

# Runs a shop command of build $1 with the cluster's settings (the secrets come from a mode-600
# file into the environment, never onto a command line).
shop() {
  local folder=$1
  shift
  (set -a; . "$dir/secrets.env"; set +a; exec dotnet "$folder/shop.dll" "$@")
}

# Starts an instance of build $2 on port $1 in a session of its own and records its pid.
launch_instance() { # port build
  local p=$1 folder=$2 name=shop-$1 extra=() pid
  [ "$workers" -gt 1 ] && extra=(--workers "$workers")
  (
    set -a; . "$dir/secrets.env"; set +a
    export SHOP_LOG_FILE=$logs/shop-$p.log SHOP_ACCESS_LOGFILE=$logs/access-$p.log SHOP_DRAIN_DELAY=$drain_delay
    # nginx reaches the instances from 127.0.0.1; no other peer is believed about a client's address.
    export SHOP_TRUSTED_PROXIES=127.0.0.1
    exec setsid dotnet "$folder/shop.dll" serve --bind "127.0.0.1:$p" "${extra[@]}" \
      </dev/null >>"$logs/shop-$p.out" 2>&1
  ) &
  pid=$!
  # The subshell becomes setsid and then dotnet (setsid execs, as the subshell leads no process
  # group; dotnet runs Shop in its own process), so this pid is Shop's once the exec happened.
  wait_until 10 is_dotnet "$pid" || true
  record "$name" "$pid"
  echo "$folder" >"$run/$name.build"
}

# Waits until the instance on port $1 answers /readyz with 200.
await_instance() { # port
  local p=$1 pid
  pid=$(running_pid "shop-$p")
  if ! wait_until 90 ready "$p"; then
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    fail "instance on port $p did not become ready; see $logs/shop-$p.out and $logs/shop-$p.log"
  fi
  echo "  instance 127.0.0.1:$p ready (pid $pid)"
}

# deploy/nginx/shop.conf with only the listen address, the upstream servers (one line per
# instance, in the shape of the shipped first line) and the log folder replaced; every
# replacement must find its target, so a reshaped file fails here instead of half-working.
render_nginx_site() { # ports...
  awk -v listen="127.0.0.1:$nginx_port" -v ports="$*" -v logs="$logs/" '
    /^[ \t]*listen 80;/ { sub(/listen 80;/, "listen " listen ";"); listens++ }
    /^[ \t]*server 127\.0\.0\.1:[0-9]+ / {
      if (!servers++) {
        n = split(ports, p, " ")
        for (i = 1; i <= n; i++) { line = $0; sub(/127\.0\.0\.1:[0-9]+/, "127.0.0.1:" p[i], line); print line }
      }
      next
    }
    { gsub("/var/log/nginx/", logs); print }
    END { if (listens != 1 || servers < 1) { print "deploy/nginx/shop.conf: listen 80 or the upstream servers not found" > "/dev/stderr"; exit 1 } }
  ' "$repo/deploy/nginx/shop.conf"
}

write_nginx() {
  mkdir -p "$dir/nginx"
  render_nginx_site "${instance_ports[@]}" >"$dir/nginx/shop.conf"
  # The main configuration Debian's nginx.conf would be, inside the cluster's folder. As root,
  # the workers run as root too: they write request bodies into this folder.
  cat >"$dir/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
pid $run/nginx.master.pid;
error_log $logs/nginx.error.log info;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    include $dir/nginx/shop.conf;
}
EOF
}

random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# --- commands -------------------------------------------------------------------------------

# Whether any process of the cluster recorded in $state still runs.
any_running() {
  local name
  for name in nginx $(printf 'shop-%s ' $INSTANCE_PORTS); do
    [ -z "$(running_pid "$name")" ] || return 0
  done
  return 1
}

up() {
  command -v dotnet >/dev/null || fail "dotnet is not installed"
  local nginx folder p i
  nginx=$(nginx_binary)
  mkdir -p "$run" "$logs" "$dir/data"
  if [ -f "$state" ] && { . "$state"; any_running; }; then
    # Part of the cluster runs (an instance was killed, say): start what is missing, on the same
    # ports and with the build the cluster runs.
    echo "Cluster in $dir runs; starting what does not."
    nginx_port=$NGINX_PORT workers=$WORKERS folder=$BUILD
    read -r -a instance_ports <<<"$INSTANCE_PORTS"
  else
    (
      umask 077
      [ -f "$dir/secrets.env" ] || {
        echo "SHOP_SECRET_KEY=$(random_secret)"
        echo "SHOP_DATABASE=$dir/data/shop.db"
      } >"$dir/secrets.env"
      [ -f "$dir/admin-password" ] || random_secret >"$dir/admin-password"
    )
    folder=$(build_folder)
    [ -n "$port" ] && listening "$port" && fail "--port $port is already in use"
    nginx_port=${port:-$(free_port 8080)}
    taken+="$nginx_port "
    instance_ports=()
    p=5000
    for i in $(seq "$instances"); do
      p=$(free_port "$p")
      instance_ports+=("$p")
      p=$((p + 1))
    done

    echo "Migrating the database once..."
    shop "$folder" migrate >>"$logs/migrate.log" 2>&1 || fail "migrate failed; see $logs/migrate.log"
    # The password goes in on standard input, never on a command line; exit 1 = the admin exists
    # already (a folder used before).
    local created=0
    shop "$folder" users create admin --role admin <"$dir/admin-password" >>"$logs/users.log" 2>&1 || created=$?
    case $created in
      0) echo "  created the admin 'admin'" ;;
      1) echo "  the admin 'admin' exists already" ;;
      *) fail "creating the admin failed; see $logs/users.log" ;;
    esac
    rm -f "$run"/shop-*.build
    cat >"$state" <<EOF
NGINX_PORT=$nginx_port
INSTANCE_PORTS="${instance_ports[*]}"
WORKERS=$workers
BUILD=$folder
URL=http://127.0.0.1:$nginx_port
EOF
  fi

  local starting=()
  for p in "${instance_ports[@]}"; do
    if [ -z "$(running_pid "shop-$p")" ]; then
      launch_instance "$p" "$(cat "$run/shop-$p.build" 2>/dev/null || echo "$folder")"
      starting+=("$p")
    fi
  done
  for p in "${starting[@]}"; do await_instance "$p"; done

  if [ -z "$(running_pid nginx)" ]; then
    write_nginx
    "$nginx" -t -q -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$logs/nginx.error.log" ||
      fail "nginx -t failed on $dir/nginx/shop.conf"
    rm -f "$run/nginx.master.pid"
    "$nginx" -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$logs/nginx.error.log"
    wait_until 10 test -s "$run/nginx.master.pid" || fail "nginx did not start; see $logs/nginx.error.log"
    record nginx "$(cat "$run/nginx.master.pid")"
    wait_until 10 listening "$nginx_port" || fail "nginx does not listen on $nginx_port; see $logs/nginx.error.log"
    echo "  nginx on 127.0.0.1:$nginx_port (pid $(running_pid nginx))"
  fi

  cat <<EOF

Shop cluster up: http://127.0.0.1:$nginx_port  (nginx in front of ${#instance_ports[@]} instances: ${instance_ports[*]})
Admin:   admin, password in $dir/admin-password (mode 600), e.g.
         curl -s http://127.0.0.1:$nginx_port/api/v1/sessions -H 'Content-Type: application/json' \\
           -d "{\"username\":\"admin\",\"password\":\"\$(cat $dir/admin-password)\"}"
Data:    $dir/data/shop.db (SQLite, shared by the instances)
Logs:    $logs/shop-PORT.log, access-PORT.log, shop-PORT.out (each instance)
         $logs/shop.access.log, shop.error.log (nginx), migrate.log, users.log, build.log
Secrets: $dir/secrets.env (mode 600: SHOP_SECRET_KEY, SHOP_DATABASE)
Status:  $0 status --dir $dir      Stop: $0 down --dir $dir
EOF
}

status() {
  [ -f "$state" ] || { echo "No cluster in $dir."; return 3; }
  . "$state"
  local missing=0 pid p
  echo "Cluster in $dir: $URL"
  pid=$(running_pid nginx)
  if [ -n "$pid" ]; then echo "  nginx          pid $pid  127.0.0.1:$NGINX_PORT"; else echo "  nginx          not running"; missing=1; fi
  for p in $INSTANCE_PORTS; do
    pid=$(running_pid "shop-$p")
    if [ -n "$pid" ]; then
      echo "  instance $p  pid $pid  /readyz $(http_status "$p" /readyz)  build $(cat "$run/shop-$p.build" 2>/dev/null)"
    else
      echo "  instance $p  not running"; missing=1
    fi
  done
  [ $missing = 0 ] || return 3
}

upgrade() {
  [ -f "$state" ] || fail "no cluster in $dir"
  . "$state"
  local folder p pid
  folder=$(build_folder)
  # Migrations first and once: they only add what the running (old) build can ignore (README,
  # "Rolling upgrades"), so the old instances keep serving on the new schema.
  echo "Migrating the database once with $folder..."
  shop "$folder" migrate >>"$logs/migrate.log" 2>&1 || fail "migrate failed; see $logs/migrate.log"
  workers=$WORKERS
  for p in $INSTANCE_PORTS; do
    pid=$(running_pid "shop-$p")
    [ -z "$pid" ] && echo "  instance $p was not running; starting it"
    # TERM: /readyz turns 503 and the instance serves for drain_delay, then closes its port
    # (nginx sends the next requests to the others) and finishes what is in flight.
    stop_process "shop-$p" TERM 60
    wait_until 30 port_closed "$p" || fail "port $p is still taken after its instance stopped"
    launch_instance "$p" "$folder"
    await_instance "$p"
  done
  sed -i "s|^BUILD=.*|BUILD=$folder|" "$state"
  echo "Upgraded: every instance runs $folder"
}

down() {
  [ -f "$state" ] || { echo "No cluster in $dir."; return 0; }
  . "$state"
  local p
  # nginx first (QUIT: it finishes the requests it is proxying), then the instances.
  stop_process nginx QUIT 15
  # The instances all at once: each drains for drain_delay, which nobody needs now.
  for p in $INSTANCE_PORTS; do stop_process "shop-$p" TERM 60 & done
  wait
  echo "Cluster in $dir stopped; data, logs and secrets are kept there."
}

case $command in
  up) up ;;
  status) status ;;
  upgrade) upgrade ;;
  down) down ;;
  ""|-h|--help) usage ;;
  *) echo "cluster.sh: error: unknown command '$command'" >&2; usage ;;
esac
