#!/usr/bin/env bash
# Ensures PostgreSQL and Redis answer on their ports: check, then start what is installed, then (with
# --install, as root, where apt-get exists) install Debian's packages. Says what it does; what it may
# not do itself it prints as exact commands, and exits 1. Used by `npm run demo`, `npm test` and
# `.ci/run`, all with --install (README, the opening commands).
#   --install   allowed to apt-get install missing servers (when run as root)
#   --quiet     print only actions and problems
# Environment: FRONTLINE_PG_HOST / FRONTLINE_PG_PORT, FRONTLINE_REDIS_HOST / FRONTLINE_REDIS_PORT (default
# 127.0.0.1:5432 and 127.0.0.1:6379), FRONTLINE_SERVICES_WAIT_S (how long a started server may take to
# open its port, default 30).
set -uo pipefail
install=0; quiet=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    --quiet) quiet=1 ;;
    *) echo "ensure-services.sh: unknown option $arg (known: --install, --quiet)" >&2; exit 2 ;;
  esac
done
PGHOST_=${FRONTLINE_PG_HOST:-127.0.0.1}; PGPORT_=${FRONTLINE_PG_PORT:-5432}
REDIS_HOST_=${FRONTLINE_REDIS_HOST:-127.0.0.1}; REDIS_PORT_=${FRONTLINE_REDIS_PORT:-6379}
WAIT_S=${FRONTLINE_SERVICES_WAIT_S:-30}
case "${BASH_SOURCE[0]}" in */*) here=${BASH_SOURCE[0]%/*} ;; *) here=. ;; esac
project=$(cd "$here/../.." && pwd)

say() { [ "$quiet" = 1 ] || echo "services: $*"; }
act() { echo "services: $*"; }
indent() { sed 's/^/  /'; }
open_port() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() {
  local i
  for ((i = 0; i < WAIT_S * 2; i++)); do open_port "$1" "$2" && return 0; sleep 0.5; done
  open_port "$1" "$2"
}
is_root() { [ "$(id -u)" = 0 ]; }
is_local() { case "$1" in 127.0.0.1 | localhost | ::1) return 0 ;; *) return 1 ;; esac; }

# What the user has to run when this script may not do it: filled in below, printed at the end.
missing=()      # Debian packages to install
start_cmds=()   # commands that start installed servers

# The PostgreSQL cluster on our port (else the newest), as "version name"; nothing if there is none.
pg_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  local version name port rest newest=""
  while read -r version name port rest; do
    [ -n "${name:-}" ] || continue
    if [ "$port" = "$PGPORT_" ]; then echo "$version $name"; return 0; fi
    newest="$version $name"
  done < <(pg_lsclusters --no-header 2>/dev/null)
  [ -z "$newest" ] || echo "$newest"
}
postgres_installed() { command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(pg_cluster)" ]; }
start_postgres() {
  local version name
  read -r version name <<<"$(pg_cluster)"
  [ -n "${name:-}" ] || { act "PostgreSQL has no cluster to start (pg_lsclusters lists none)"; return 1; }
  if ! is_root; then
    # pg_ctlcluster refuses anyone but root and the cluster's owner.
    start_cmds+=("sudo pg_ctlcluster $version $name start")
    return 1
  fi
  act "starting PostgreSQL $version/$name (pg_ctlcluster $version $name start)"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 2>&1 | indent
  wait_port "$PGHOST_" "$PGPORT_"
}
trust_local_postgres() {
  # A fresh Debian PostgreSQL has no password for `postgres`: give it the one DATABASE_URL's default uses.
  act "setting the password of the PostgreSQL user postgres to the default DATABASE_URL's (postgres)"
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" 2>&1 | indent
}

redis_installed() { command -v redis-server >/dev/null 2>&1; }
start_redis() {
  local dir=/var/lib/redis log=/var/log/redis/frontline.log
  if ! is_root; then dir=${TMPDIR:-/tmp}/frontline-redis; log=$dir/redis.log; fi
  mkdir -p "$dir" "${log%/*}" 2>/dev/null || true
  act "starting Redis (redis-server --daemonize yes --port $REDIS_PORT_, nothing kept on disk, log $log)"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT_" --save "" --appendonly no \
    --maxmemory-policy noeviction --dir "$dir" --logfile "$log" 2>&1 | indent
  wait_port "$REDIS_HOST_" "$REDIS_PORT_"
}

apt_updated=0
apt_log=${TMPDIR:-/tmp}/frontline-apt-get.log
install_package() {
  act "installing $1 from Debian's packages (apt-get install -y $1, as root; output in $apt_log)…"
  if [ "$apt_updated" = 0 ]; then
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$apt_log" 2>&1; then
      act "apt-get update failed; its last lines:"; tail -n 15 "$apt_log" | indent; return 1
    fi
    apt_updated=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >>"$apt_log" 2>&1; then
    act "apt-get install $1 failed; its last lines:"; tail -n 15 "$apt_log" | indent; return 1
  fi
}
# Why a missing server is not installed here, or nothing when it may be.
no_install_reason() {
  if [ "$install" != 1 ]; then echo "installing needs --install"
  elif ! command -v apt-get >/dev/null 2>&1; then echo "no apt-get here to install it with"
  elif ! is_root; then echo "installing needs root"
  fi
}

ensure() { # name host port kind package
  local name=$1 host=$2 port=$3 kind=$4 package=$5
  if open_port "$host" "$port"; then say "$name is up on $host:$port"; return 0; fi
  if ! is_local "$host"; then
    echo "services: $name is not reachable on $host:$port, which is not this machine: start it there." >&2
    return 1
  fi
  if "${kind}_installed"; then
    local asked=${#start_cmds[@]}
    if "start_$kind"; then act "$name started on $host:$port"; return 0; fi
    if [ ${#start_cmds[@]} -gt "$asked" ]; then echo "services: $name is installed but not running on $host:$port, and only root may start it." >&2
    else echo "services: $name is installed but did not open $host:$port within ${WAIT_S} s (see its output above)." >&2; fi
    return 1
  fi
  local reason; reason=$(no_install_reason)
  if [ -z "$reason" ]; then
    install_package "$package" || { echo "services: $name could not be installed (see above)." >&2; return 1; }
    if "start_$kind"; then
      [ "$kind" = postgres ] && trust_local_postgres
      act "$name installed and started on $host:$port"; return 0
    fi
    echo "services: $name was installed but is not reachable on $host:$port (see above)." >&2
    return 1
  fi
  echo "services: $name is not reachable on $host:$port and not installed ($reason)." >&2
  missing+=("$package")
  return 1
}

status=0
ensure PostgreSQL "$PGHOST_" "$PGPORT_" postgres postgresql || status=1
ensure Redis "$REDIS_HOST_" "$REDIS_PORT_" redis redis-server || status=1

if [ ${#missing[@]} -gt 0 ] || [ ${#start_cmds[@]} -gt 0 ]; then
  {
    echo "services: to get them, run either"
    echo "  docker compose up -d      (in $project: both servers in containers, from docker-compose.yml)"
    if [ ${#missing[@]} -gt 0 ] && ! command -v apt-get >/dev/null 2>&1; then
      echo "or install them (${missing[*]}) with this system's package manager,"
    else
      echo "or, on Debian or Ubuntu:"
      if [ ${#missing[@]} -gt 0 ]; then
        echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
      fi
      for cmd in ${start_cmds[@]+"${start_cmds[@]}"}; do echo "  $cmd"; done
      case " ${missing[*]-} " in
        *" postgresql "*) echo "  sudo -u postgres psql -c \"ALTER USER postgres PASSWORD 'postgres'\"   (the password DATABASE_URL's default uses)" ;;
      esac
    fi
    echo "then run the same command again."
  } >&2
fi
exit $status
