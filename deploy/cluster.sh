#!/usr/bin/env bash
# A Shop cluster on this machine in one command, for trying Shop as a cluster and for the tests:
# the database, N Shop instances on it and nginx in front with the shipped deploy/nginx/shop.conf,
# all on loopback ports, everything (data, logs, pids, secrets) in one folder of its own.
#
#   deploy/cluster.sh up [--instances N] [--workers W] [--port PORT] [--dir DIR] [--build DIR]
#                        [--database auto|sqlite|postgresql] [--redis auto|yes|no]
#   deploy/cluster.sh status [--dir DIR]
#   deploy/cluster.sh upgrade [--dir DIR] [--build DIR]
#   deploy/cluster.sh down [--dir DIR]
#
# up       builds Shop once (dotnet publish into DIR/builds/; --build uses a folder holding shop.dll
#          instead), applies the migrations once, creates the admin (its password in a mode-600 file),
#          starts N instances (default 3; each a master with W workers when W > 1) and nginx on PORT
#          (default: the first free one from 8080), and prints the URL, the admin and where every
#          log is. The instances, PostgreSQL and Redis take free ports from a random start below the
#          kernel's ephemeral range, never one another cluster of this machine holds.
# status   says what runs, the workers of each instance too (exit 0 when everything does, 3 when
#          something does not).
# upgrade  builds again (or takes --build), applies the new build's migrations once, then replaces
#          the instances one at a time: out of nginx's upstream (marked down, nginx reloaded), TERM
#          (the instance drains), the new build started on the same port, /readyz awaited, back
#          into the upstream (nginx reloaded), next. nginx sends requests to the others meanwhile.
# down     stops exactly the processes up started, by the pids it recorded (and the workers of each
#          instance, by the pids it finds under the instance's master); data and logs stay.
#
# --database postgresql starts a private PostgreSQL (initdb in DIR/postgres, as nobody when run as
# root) with a role and database "shop"; --redis yes a private Redis with a password. sqlite is one
# SQLite file shared by the instances (several processes on one file are supported; one writes at
# a time). auto, the default, takes PostgreSQL and Redis when the build supports them (it ships
# the Npgsql / StackExchange.Redis libraries) and the servers are installed, else SQLite and no
# Redis. Needed: bash, coreutils, util-linux, nginx, dotnet, and the servers chosen.
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
database=auto
redis=auto

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
fail() { echo "cluster.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --instances) instances=${2:?--instances needs a number}; shift 2 ;;
    --workers) workers=${2:?--workers needs a number}; shift 2 ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    --build) build=${2:?--build needs a folder holding shop.dll}; shift 2 ;;
    --database) database=${2:?--database needs sqlite or postgresql}; shift 2 ;;
    --redis) redis=${2:?--redis needs yes or no}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "cluster.sh: error: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $instances =~ ^[1-9][0-9]?$ ]] || fail "--instances must be 1 to 99 (got '$instances')"
[[ $workers =~ ^[1-9][0-9]?$ ]] || fail "--workers must be 1 to 99 (got '$workers')"
[ -z "$port" ] || [[ $port =~ ^[0-9]+$ ]] || fail "--port must be a port number (got '$port')"
[[ $database =~ ^(auto|sqlite|postgresql)$ ]] || fail "--database must be auto, sqlite or postgresql (got '$database')"
[[ $redis =~ ^(auto|yes|no)$ ]] || fail "--redis must be auto, yes or no (got '$redis')"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
run=$dir/run logs=$dir/logs state=$dir/cluster.env

# --- small helpers --------------------------------------------------------------------------

# Whether something accepts connections on 127.0.0.1:$1 (bash's /dev/tcp: no curl needed).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 up that nobody listens on, no other part of this cluster took and no
# other cluster of this machine holds (see claim_ports). It runs in a subshell ($(...)), so the
# caller adds the port to $taken.
taken=" "
free_port() {
  local p=$1
  while listening "$p" || [[ $taken == *" $p "* ]]; do p=$((p + 1)); done
  echo "$p"
}

# Two clusters on one machine never share a port, even when started at the same moment: the
# choice runs under a machine-wide lock (flock), and every cluster folder that chose ports is
# listed in $clusters, so the ports in the others' cluster.env count as taken while those folders
# exist (a folder removed frees its ports). An instance's port stays its cluster's across restarts
# and upgrades, while nothing listens on it for a moment.
clusters=${TMPDIR:-/tmp}/shop-clusters
claim_ports() {
  local folder others=()
  { exec 9>>"$clusters.lock" && flock -w 60 9; } 2>/dev/null ||
    echo "cluster.sh: warning: no lock on $clusters.lock; the ports are chosen without it" >&2
  if [ -f "$clusters" ]; then
    while read -r folder; do
      [ "$folder" != "$dir" ] && [ -f "$folder/cluster.env" ] || continue
      others+=("$folder")
      # Read, not sourced: another cluster's file is data, not code.
      taken+="$(sed -n 's/^\(NGINX_PORT\|INSTANCE_PORTS\|PG_PORT\|REDIS_PORT\)=//p' "$folder/cluster.env" | tr -dc '0-9 \n' | tr '\n' ' ') "
    done <"$clusters"
  fi
  { printf '%s\n' "${others[@]}" "$dir" >"$clusters.$$" && mv -f "$clusters.$$" "$clusters"; } 2>/dev/null ||
    echo "cluster.sh: warning: cannot list this cluster in $clusters" >&2
}

release_ports() { exec 9>&-; }

# Where the instances' ports start: a random point from 10000 to below the kernel's ephemeral
# range (where the ports of outgoing connections and of binds to port 0 come from), so that an
# instance's port is neither Shop's default 5000 nor likely anyone else's.
first_instance_port() {
  local low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  [ "$low" -gt 12000 ] || low=32768
  echo $((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000 - 1000)))
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

# Whether process $1 started at $2 is gone (its pid may belong to another process by now).
dead_or_other() { dead "$1" || [ "$(started_at "$1")" != "$2" ]; }

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

# The pids of the processes whose parent is $1 (an instance's master: its workers), from /proc.
children_of() {
  local stat file fields
  for file in /proc/[0-9]*/stat; do
    stat=$(cat "$file" 2>/dev/null) || continue
    read -r -a fields <<<"${stat##*) }"
    if [ "${fields[1]}" = "$1" ] && [ "${fields[0]}" != Z ]; then echo "${file//[^0-9]/}"; fi
  done | sort -n
}

# Sends $2 to the recorded process $1 and waits up to $3 s for it to exit, then kills it. A
# master stops its workers itself; any of them that outlive it (it was killed) are killed too,
# each by its pid and start time as seen before the signal.
stop_process() {
  local name=$1 signal=$2 limit=$3 pid child children=()
  pid=$(running_pid "$name")
  if [ -n "$pid" ]; then
    for child in $(children_of "$pid"); do children+=("$child:$(started_at "$child")"); done
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq $((limit * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      echo "  $name (pid $pid) did not stop within $limit s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait_until 10 dead "$pid" || true
    fi
    for child in "${children[@]}"; do
      if ! wait_until 10 dead_or_other "${child%%:*}" "${child#*:}"; then
        echo "  worker ${child%%:*} of $name outlived it; killing it" >&2
        kill -KILL "${child%%:*}" 2>/dev/null || true
      fi
    done
    echo "  stopped $name (pid $pid${children:+, children ${children[*]%%:*}})"
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

# Whether build $1 accepts the setting $2=$3 (a build from before PostgreSQL or Redis support
# refuses them at start-up with "... is not supported yet").
supports() {
  local refusal
  refusal=$(env "$2=$3" dotnet "$1/shop.dll" routes 2>&1 >/dev/null) || true
  [[ $refusal != *"not supported yet"* ]]
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
render_nginx_site() { # ports... (the port in $out_of_rotation, if any, is marked down)
  awk -v listen="127.0.0.1:$nginx_port" -v ports="$*" -v out="${out_of_rotation:-}" -v logs="$logs/" '
    /^[ \t]*listen 80;/ { sub(/listen 80;/, "listen " listen ";"); listens++ }
    /^[ \t]*server 127\.0\.0\.1:[0-9]+ / {
      if (!servers++) {
        n = split(ports, p, " ")
        for (i = 1; i <= n; i++) {
          line = $0; sub(/127\.0\.0\.1:[0-9]+/, "127.0.0.1:" p[i], line)
          if (p[i] == out) sub(/;[ \t]*$/, " down;", line)
          print line
        }
      }
      next
    }
    { gsub("/var/log/nginx/", logs); print }
    END { if (listens != 1 || servers < 1) { print "deploy/nginx/shop.conf: listen 80 or the upstream servers not found" > "/dev/stderr"; exit 1 } }
  ' "$repo/deploy/nginx/shop.conf"
}

# A new upstream list for the running nginx: a reload (HUP) starts workers on it, and the old
# workers finish the requests they proxy, then exit. Only once they are gone has nginx let go of
# an instance taken out of rotation: no request of nginx's can meet that instance closing its
# port or its kept-alive connections (a POST that meets it is a 502, never retried).
reload_nginx() { # ports...
  local master old
  master=$(running_pid nginx)
  [ -n "$master" ] || fail "nginx is not running; $0 up starts it"
  render_nginx_site "$@" >"$dir/nginx/shop.conf.new"
  mv "$dir/nginx/shop.conf.new" "$dir/nginx/shop.conf"
  "$nginx" -t -q -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$logs/nginx.error.log" ||
    fail "nginx -t failed on $dir/nginx/shop.conf"
  old=$(children_of "$master" | tr '\n' ' ')
  kill -HUP "$master"
  wait_until 60 workers_replaced "$master" "$old" || fail "nginx's old workers did not exit within 60 s"
}

workers_replaced() { # master "old worker pids"
  local pid fresh=0
  for pid in $(children_of "$1"); do
    [[ " $2 " == *" $pid "* ]] && return 1
    fresh=1
  done
  [ $fresh = 1 ]
}

write_nginx() {
  mkdir -p "$dir/nginx"
  render_nginx_site "${instance_ports[@]}" >"$dir/nginx/shop.conf"
  # The main configuration Debian's nginx.conf would be, inside the cluster's folder. As root,
  # the workers run as root too: they write request bodies into this folder.
  cat >"$dir/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1;
# A reload's old workers finish what they proxy (milliseconds) and exit; this bounds a stuck one.
worker_shutdown_timeout 10s;
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

# --- PostgreSQL and Redis -------------------------------------------------------------------

# PostgreSQL refuses to run as root: as root, it runs as nobody, who owns its folder. setpriv
# execs (no process in between), so a recorded pid is the server's own.
db_user=()
[ "$(id -u)" != 0 ] || db_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
as_db_user() { "${db_user[@]}" "$@"; }

pg_binaries() {
  local folder
  folder=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$folder" ] || [ ! -x "$folder/initdb" ]; then
    folder=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  fi
  [ -x "$folder/initdb" ] || fail "PostgreSQL is not installed (apt-get install postgresql), or use --database sqlite"
  echo "$folder"
}

# A private PostgreSQL: initdb in $dir/postgres/data (once), the server on 127.0.0.1:$PG_PORT,
# the role and database "shop" with the random password that is in secrets.env's database URI.
start_postgres() {
  local bin pgdir=$dir/postgres pid
  bin=$(pg_binaries)
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    mkdir -p "$pgdir"
    (umask 077; printf '%s\n' "$PG_PASSWORD" >"$pgdir/password")
    if [ "$(id -u)" = 0 ]; then
      chown -R nobody:nogroup "$pgdir"
      as_db_user test -w "$pgdir" ||
        fail "PostgreSQL runs as nobody, who cannot reach $pgdir (is it under /root?); use --dir under /tmp or /srv"
    fi
    as_db_user "$bin/initdb" -D "$pgdir/data" -U shop --pwfile="$pgdir/password" --auth=scram-sha-256 -E UTF8 --no-locale \
      >"$logs/postgres-initdb.log" 2>&1 || fail "initdb failed; see $logs/postgres-initdb.log"
    rm -f "$pgdir/password"
  fi
  touch "$logs/postgres.log"
  [ "$(id -u)" != 0 ] || chown nobody:nogroup "$logs/postgres.log"
  (
    exec setsid "${db_user[@]}" "$bin/postgres" -D "$pgdir/data" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
      -c unix_socket_directories="$pgdir" </dev/null >>"$logs/postgres.log" 2>&1
  ) &
  pid=$!
  wait_until 60 listening "$PG_PORT" || fail "PostgreSQL did not start; see $logs/postgres.log"
  record postgres "$pid"
  if ! as_db_user env PGPASSWORD="$PG_PASSWORD" "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U shop -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'shop'" 2>>"$logs/postgres.log" | grep -q 1; then
    as_db_user env PGPASSWORD="$PG_PASSWORD" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U shop shop 2>>"$logs/postgres.log" ||
      fail "createdb failed; see $logs/postgres.log"
  fi
  echo "  PostgreSQL on 127.0.0.1:$PG_PORT (pid $pid, data in $pgdir/data)"
}

# A private Redis on 127.0.0.1:$REDIS_PORT with a password, its settings in a mode-600 file.
start_redis() {
  local pid
  command -v redis-server >/dev/null || fail "redis-server is not installed (apt-get install redis-server), or use --redis no"
  mkdir -p "$dir/redis"
  (
    umask 077
    cat >"$dir/redis/redis.conf" <<EOF
port $REDIS_PORT
bind 127.0.0.1
protected-mode yes
requirepass $REDIS_PASSWORD
dir $dir/redis
logfile $logs/redis.log
daemonize no
save ""
appendonly no
EOF
  )
  (exec setsid redis-server "$dir/redis/redis.conf" </dev/null >>"$logs/redis.log" 2>&1) &
  pid=$!
  wait_until 30 listening "$REDIS_PORT" || fail "Redis did not start; see $logs/redis.log"
  record redis "$pid"
  echo "  Redis on 127.0.0.1:$REDIS_PORT (pid $pid)"
}

# --- commands -------------------------------------------------------------------------------

# Whether any process of the cluster recorded in $state still runs.
any_running() {
  local name
  for name in nginx $(printf 'shop-%s ' $INSTANCE_PORTS) postgres redis; do
    [ -z "$(running_pid "$name")" ] || return 0
  done
  return 1
}

up() {
  command -v dotnet >/dev/null || fail "dotnet is not installed"
  local nginx folder p i
  nginx=$(nginx_binary)
  mkdir -p "$run" "$logs" "$dir/data"
  (
    umask 077
    [ -f "$dir/passwords.env" ] || {
      echo "SECRET_KEY=$(random_secret)"
      echo "PG_PASSWORD=$(random_secret)"
      echo "REDIS_PASSWORD=$(random_secret)"
    } >"$dir/passwords.env"
    [ -f "$dir/admin-password" ] || random_secret >"$dir/admin-password"
  )
  . "$dir/passwords.env"
  if [ -f "$state" ] && { . "$state"; any_running; }; then
    # Part of the cluster runs (an instance was killed, say): start what is missing, on the same
    # ports and with the build the cluster runs.
    echo "Cluster in $dir runs; starting what does not."
    nginx_port=$NGINX_PORT workers=$WORKERS folder=$BUILD database=$DATABASE redis=$REDIS
    read -r -a instance_ports <<<"$INSTANCE_PORTS"
    [ "$database" != postgresql ] || [ -n "$(running_pid postgres)" ] || start_postgres
    [ "$redis" != yes ] || [ -n "$(running_pid redis)" ] || start_redis
  else
    folder=$(build_folder)
    if [ "$database" = auto ]; then
      database=sqlite
      ! (pg_binaries) >/dev/null 2>&1 || ! supports "$folder" SHOP_DATABASE postgresql://shop:x@127.0.0.1:1/shop || database=postgresql
    fi
    if [ "$redis" = auto ]; then
      redis=no
      ! command -v redis-server >/dev/null || ! supports "$folder" SHOP_REDIS 127.0.0.1:1 || redis=yes
    fi
    claim_ports
    if [ -n "$port" ]; then
      { listening "$port" || [[ $taken == *" $port "* ]]; } && fail "--port $port is already in use"
      nginx_port=$port
    else
      nginx_port=$(free_port 8080)
    fi
    taken+="$nginx_port "
    instance_ports=()
    p=$(first_instance_port)
    for i in $(seq "$instances"); do
      p=$(free_port "$p")
      taken+="$p "
      instance_ports+=("$p")
      p=$((p + 1))
    done
    PG_PORT= REDIS_PORT=
    [ "$database" != postgresql ] || { PG_PORT=$(free_port "$p"); taken+="$PG_PORT "; p=$((PG_PORT + 1)); }
    [ "$redis" != yes ] || REDIS_PORT=$(free_port "$p")
    # Written before anything starts, so that `down` also cleans up after an `up` that failed.
    rm -f "$run"/shop-*.build
    cat >"$state" <<EOF
NGINX_PORT=$nginx_port
INSTANCE_PORTS="${instance_ports[*]}"
WORKERS=$workers
BUILD=$folder
DATABASE=$database
PG_PORT=$PG_PORT
REDIS=$redis
REDIS_PORT=$REDIS_PORT
URL=http://127.0.0.1:$nginx_port
EOF
    release_ports
    [ "$database" != postgresql ] || start_postgres
    [ "$redis" != yes ] || start_redis
    # What the instances read, mode 600, into their environment (never onto a command line).
    (
      umask 077
      echo "SHOP_SECRET_KEY=$SECRET_KEY"
      if [ "$database" = postgresql ]; then
        echo "SHOP_DATABASE=postgresql://shop:$PG_PASSWORD@127.0.0.1:$PG_PORT/shop"
      else
        echo "SHOP_DATABASE=$dir/data/shop.db"
      fi
      [ "$redis" != yes ] || echo "SHOP_REDIS=redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0"
    ) >"$dir/secrets.env"

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
  fi

  local starting=()
  for p in "${instance_ports[@]}"; do
    if [ -z "$(running_pid "shop-$p")" ]; then
      # The workers of a killed master finish their requests first, on its port.
      wait_until 60 port_closed "$p" || fail "port $p is still taken after its instance stopped"
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
Admin:   admin, password in $dir/admin-password (mode 600); log in with (printf is a shell
         builtin, so the password stays off every command line):
         printf '{"username":"admin","password":"%s"}' "\$(cat $dir/admin-password)" |
           curl -s http://127.0.0.1:$nginx_port/api/v1/sessions -H 'Content-Type: application/json' --data-binary @-
Data:    $(if [ "$database" = postgresql ]; then echo "PostgreSQL on 127.0.0.1:$PG_PORT, database shop ($dir/postgres/data)"; else echo "$dir/data/shop.db (SQLite, shared by the instances)"; fi)$([ "$redis" != yes ] || echo "; Redis on 127.0.0.1:$REDIS_PORT")
Logs:    $logs/shop-PORT.log, access-PORT.log, shop-PORT.out (each instance)
         $logs/shop.access.log, shop.error.log (nginx), migrate.log, users.log, build.log$([ "$database" != postgresql ] || echo ", postgres.log")$([ "$redis" != yes ] || echo ", redis.log")
Secrets: $dir/secrets.env (mode 600: what the instances read), $dir/passwords.env (mode 600)
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
  if [ "${DATABASE:-sqlite}" = postgresql ]; then
    pid=$(running_pid postgres)
    if [ -n "$pid" ]; then echo "  postgres       pid $pid  127.0.0.1:$PG_PORT"; else echo "  postgres       not running"; missing=1; fi
  fi
  if [ "${REDIS:-no}" = yes ]; then
    pid=$(running_pid redis)
    if [ -n "$pid" ]; then echo "  redis          pid $pid  127.0.0.1:$REDIS_PORT"; else echo "  redis          not running"; missing=1; fi
  fi
  for p in $INSTANCE_PORTS; do
    pid=$(running_pid "shop-$p")
    if [ -n "$pid" ]; then
      echo "  instance $p  pid $pid  /readyz $(http_status "$p" /readyz)  build $(cat "$run/shop-$p.build" 2>/dev/null)"
      [ "${WORKERS:-1}" -le 1 ] || echo "    workers of $p: $(children_of "$pid" | tr '\n' ' ')(of $WORKERS)"
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
  nginx_port=$NGINX_PORT
  nginx=$(nginx_binary)
  read -r -a instance_ports <<<"$INSTANCE_PORTS"
  for p in "${instance_ports[@]}"; do
    pid=$(running_pid "shop-$p")
    [ -z "$pid" ] && echo "  instance $p was not running; starting it"
    # Out of nginx's rotation first, then TERM: the instance drains (/readyz 503, still serving,
    # for whoever else sends to it), closes its port and finishes what is in flight.
    out_of_rotation=$p reload_nginx "${instance_ports[@]}"
    echo "  $(date +%T) instance $p is out of nginx's rotation; stopping it"
    stop_process "shop-$p" TERM 60
    wait_until 30 port_closed "$p" || fail "port $p is still taken after its instance stopped"
    launch_instance "$p" "$folder"
    await_instance "$p"
    reload_nginx "${instance_ports[@]}"
    echo "  $(date +%T) instance $p runs the new build and is back in nginx's rotation"
  done
  sed -i "s|^BUILD=.*|BUILD=$folder|" "$state"
  echo "Upgraded: every instance runs $folder"
}

down() {
  [ -f "$state" ] || { echo "No cluster in $dir."; return 0; }
  . "$state"
  local p
  # nginx first (QUIT: it finishes the requests it is proxying), then the instances, then the
  # database servers.
  stop_process nginx QUIT 15
  # The instances all at once: each drains for drain_delay, which nobody needs now.
  for p in $INSTANCE_PORTS; do stop_process "shop-$p" TERM 60 & done
  wait
  # The servers they used last (INT: PostgreSQL's fast shutdown, which does not wait for clients).
  stop_process redis TERM 30
  stop_process postgres INT 60
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
