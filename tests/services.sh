#!/usr/bin/env bash
# Throwaway servers on loopback for the test suite: a Dovecot IMAP server (and, from the
# PostgreSQL work on, a PostgreSQL cluster). Installs the Debian packages when they are missing,
# Chromium included (the tests open pages in headless Chromium).
#
#   bash tests/services.sh start DIR   -> prints KEY=VALUE lines (eval them)
#   bash tests/services.sh stop DIR
#
# Only the processes started here are stopped, through their own pid files.
set -euo pipefail
cmd=${1:?usage: services.sh start|stop DIR} dir=${2:?usage: services.sh start|stop DIR}
IMAP_PORT=${SEQUENCER_TEST_IMAP_PORT:-}

need_packages() {
  local missing=()
  command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # pages are tested in a real browser
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "services.sh: ${missing[*]} not installed and not running as root; install them with apt-get" >&2
    exit 1
  fi
  echo "services.sh: installing ${missing[*]} with apt-get (once)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get install -y "${missing[@]}" >&2; exit 1; }
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_dovecot() {
  local d="$dir/dovecot" port=${IMAP_PORT:-$(free_port)}
  rm -rf "$d"; mkdir -p "$d/run" "$d/state" "$d/mail"
  chmod o+x "$dir" "$d"  # dovecot's auth process (its own user) reads the users file
  chown 65534:65534 "$d/mail" 2>/dev/null || true
  local uid gid; uid=$(stat -c %u "$d/mail") gid=$(stat -c %g "$d/mail")
  # A few mailboxes, one per sender a test may configure; password "secret", except ulla's,
  # which is not ASCII (IMAP LOGIN cannot carry it; SASL PLAIN can).
  : > "$d/users"
  for user in sender jane mikko other; do
    echo "$user:{PLAIN}secret:$uid:$gid::$d/mail/$user" >> "$d/users"
  done
  echo "ulla:{PLAIN}Päivä2026!:$uid:$gid::$d/mail/ulla" >> "$d/users"
  if id dovecot >/dev/null 2>&1 && ! runuser -u dovecot -- test -r "$d/users" 2>/dev/null; then
    echo "services.sh: dovecot's auth process cannot read $d/users; make the folders above it traversable (chmod o+x)" >&2
    exit 1
  fi
  cat > "$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
  # no inherited stdio: a caller capturing our output must not wait on the daemon's copies
  dovecot -c "$d/dovecot.conf" </dev/null >"$d/startup.log" 2>&1 || { cat "$d/startup.log" >&2; exit 1; }
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "services.sh: dovecot did not start; see $d/dovecot.log" >&2; exit 1; }
  echo "SEQUENCER_TEST_IMAP=127.0.0.1:$port"
}

stop_dovecot() {
  local conf="$dir/dovecot/dovecot.conf"
  [ -f "$conf" ] || return 0
  dovecot -c "$conf" stop 2>/dev/null || true
}

start_postgres() {
  # A throwaway cluster on loopback: trust auth, no fsync (tests only). PostgreSQL refuses to
  # run as root, so it runs as the postgres user, in a folder that user owns.
  local p="$dir/pg" port bin; port=$(free_port); bin=$(pg_bin)
  rm -rf "$p"; mkdir -p "$p"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$p"; chmod 700 "$p"
    as_pg() { runuser -u postgres -- "$@"; }
  else
    as_pg() { "$@"; }
  fi
  as_pg "$bin/initdb" -D "$p/data" -U postgres --auth=trust -E UTF8 --no-locale >"$p/initdb.log" 2>&1 \
    || { cat "$p/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$p/data" -l "$p/server.log" -w -t 60 \
    -o "-p $port -k $p -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start </dev/null >"$p/start.log" 2>&1 || { cat "$p/start.log" "$p/server.log" >&2; exit 1; }
  echo "SEQUENCER_TEST_PG=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
  local p="$dir/pg" bin; bin=$(pg_bin)
  [ -f "$p/data/postmaster.pid" ] || return 0
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$p/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "$bin/pg_ctl" -D "$p/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start) need_packages; chmod o+x "$dir"; start_dovecot; start_postgres ;;
  stop) stop_dovecot; stop_postgres ;;
  *) echo "usage: services.sh start|stop DIR" >&2; exit 2 ;;
esac
