#!/usr/bin/env bash
# Ensures PostgreSQL and Redis answer on their ports: check, then start, then (with --install, as
# root) install Debian's packages. Says what it did. Used by `npm test`, `.ci/run` and the demo.
#   --install   allowed to apt-get install missing servers (tests, CI)
#   --quiet     print only actions and problems
set -uo pipefail
install=0; quiet=0
for arg in "$@"; do
  case "$arg" in --install) install=1 ;; --quiet) quiet=1 ;; esac
done
PGHOST_=${FRONTLINE_PG_HOST:-127.0.0.1}; PGPORT_=${FRONTLINE_PG_PORT:-5432}
REDIS_HOST_=${FRONTLINE_REDIS_HOST:-127.0.0.1}; REDIS_PORT_=${FRONTLINE_REDIS_PORT:-6379}

say() { [ "$quiet" = 1 ] || echo "services: $*"; }
act() { echo "services: $*"; }
open_port() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do open_port "$1" "$2" && return 0; sleep 0.5; done; return 1; }

start_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  local version; version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  act "starting PostgreSQL $version (pg_ctlcluster $version main start)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 | sed 's/^/  /'
  wait_port "$PGHOST_" "$PGPORT_"
}
start_redis() {
  command -v redis-server >/dev/null 2>&1 || return 1
  act "starting Redis (redis-server --daemonize yes, nothing kept on disk)"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT_" --save "" --appendonly no \
    --maxmemory-policy noeviction --dir /var/lib/redis --logfile /var/log/redis/frontline.log
  wait_port "$REDIS_HOST_" "$REDIS_PORT_"
}
install_packages() {
  if [ "$(id -u)" != 0 ]; then act "cannot install $* without root"; return 1; fi
  act "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
trust_local_postgres() {
  # A fresh Debian PostgreSQL uses peer/scram auth: give `postgres` the password the defaults use.
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
}

ensure() { # name host port start-fn packages...
  local name=$1 host=$2 port=$3 starter=$4; shift 4
  if open_port "$host" "$port"; then say "$name is up on $host:$port"; return 0; fi
  $starter && { act "$name started on $host:$port"; return 0; }
  if [ "$install" = 1 ] && install_packages "$@"; then
    [ "$name" = PostgreSQL ] && { $starter; trust_local_postgres; }
    [ "$name" = Redis ] && $starter
    open_port "$host" "$port" && { act "$name installed and started on $host:$port"; return 0; }
  fi
  echo "services: $name is not reachable on $host:$port." >&2
  echo "  start it with:   docker compose up -d   (from the project folder)" >&2
  echo "  or install it:   sudo apt-get install -y $*" >&2
  return 1
}

status=0
ensure PostgreSQL "$PGHOST_" "$PGPORT_" start_postgres postgresql || status=1
ensure Redis "$REDIS_HOST_" "$REDIS_PORT_" start_redis redis-server || status=1
exit $status
