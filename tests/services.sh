#!/usr/bin/env bash
# Throwaway servers on loopback for the test suite: a Dovecot IMAP server, a PostgreSQL cluster,
# and a mail host for the OAuth2 tests (Postfix on a submission port with STARTTLS from a test CA,
# authenticating through a second Dovecot's SASL, which validates JWT access tokens locally and
# takes Postfix's deliveries over LMTP), and a DNS server (dnsmasq) serving the test zones of the
# address and sender-domain checks. Installs the Debian packages when they are missing,
# Chromium included (the tests open pages in headless Chromium).
#
#   bash tests/services.sh start DIR   -> prints KEY=VALUE lines (eval them)
#   bash tests/services.sh stop DIR
#   bash tests/services.sh start-dns DIR / stop-dns DIR   -> the DNS server alone
#   bash tests/services.sh start-pg DIR / stop-pg DIR     -> the PostgreSQL cluster alone
#
# PostgreSQL preloads pg_stat_statements (the benchmarks read each statement's server time; the
# extension itself is created by them, never by the application).
#
# Only the processes started here are stopped, through their own pid files.
set -euo pipefail
cmd=${1:?usage: services.sh start|stop DIR} dir=${2:?usage: services.sh start|stop DIR}
IMAP_PORT=${SEQUENCER_TEST_IMAP_PORT:-}

need_packages() {
  local missing=()
  command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)  # Postfix delivers into Dovecot over LMTP
  command -v postfix >/dev/null 2>&1 || missing+=(postfix)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # pages are tested in a real browser
  command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)  # the DNS zones (no system service)
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "services.sh: ${missing[*]} not installed and not running as root; install them with apt-get" >&2
    exit 1
  fi
  echo "services.sh: installing ${missing[*]} with apt-get (once)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # policy-rc.d or no init system: the packages' own default instances are not needed (nor started here)
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
    -o "-p $port -k $p -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" \
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

# -- the mail host of the OAuth2 tests --------------------------------------------------------------
# Mailboxes live on the domain sequencer.example: oauth@ and revoked@ log in with OAuth2 access tokens
# (JWTs signed with HS256 by the tests' token endpoint, with the key written here), pw@ with the
# password "secret", kiri@ receives. Dovecot checks a token's signature, exp and email claim itself.

start_mailhost() {
  local m="$dir/mailhost" submission imaps lmtp auth
  submission=$(free_port) imaps=$(free_port) lmtp=$(free_port) auth=$(free_port)
  rm -rf "$m"; mkdir -p "$m/tls" "$m/dovecot/run" "$m/dovecot/state" "$m/dovecot/mail" "$m/dovecot/keys/default/HS256"
  chmod o+x "$m" "$m/dovecot"
  make_test_ca "$m/tls"
  # the HMAC key the token endpoint signs with; Dovecot reads it base64-encoded from its key dict
  local key; key=$(openssl rand -base64 32)
  printf '%s' "$key" > "$m/dovecot/keys/default/HS256/default"
  chmod -R o+rX "$m/dovecot/keys"
  chown 65534:65534 "$m/dovecot/mail" 2>/dev/null || true
  local uid gid; uid=$(stat -c %u "$m/dovecot/mail") gid=$(stat -c %g "$m/dovecot/mail")
  : > "$m/dovecot/users"
  for user in oauth revoked pw kiri; do
    echo "$user@sequencer.example:{PLAIN}secret:$uid:$gid::$m/dovecot/mail/$user" >> "$m/dovecot/users"
  done
  cat > "$m/dovecot/oauth2.conf.ext" <<CONF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$m/dovecot/keys/
username_attribute = email
CONF
  cat > "$m/dovecot/dovecot.conf" <<CONF
base_dir = $m/dovecot/run
state_dir = $m/dovecot/state
log_path = $m/dovecot/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$m/tls/server.crt
ssl_key = <$m/tls/server.key
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0  # a refused token answers at once: the tests of refusals stay fast
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $m/dovecot/oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%Lu $m/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $m/dovecot/users
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $auth
  }
}
CONF
  dovecot -c "$m/dovecot/dovecot.conf" </dev/null >"$m/dovecot/startup.log" 2>&1 \
    || { cat "$m/dovecot/startup.log" >&2; exit 1; }
  start_postfix "$m" "$submission" "$lmtp" "$auth"
  wait_port "$imaps" "$m/dovecot/dovecot.log"
  wait_port "$submission" "$m/postfix/maillog"
  echo "SEQUENCER_TEST_MAILHOST=127.0.0.1,$submission,$imaps,$m"  # host, submission port, IMAPS port, folder
}

make_test_ca() {
  # A test CA, the server's certificate from it (for 127.0.0.1 and localhost), and a second CA
  # that signed nothing here: a client that trusts only that one must refuse the server.
  local t=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=sequencer test CA" \
    -keyout "$t/ca.key" -out "$t/ca.crt" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=some other CA" \
    -keyout "$t/wrong-ca.key" -out "$t/wrong-ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" >/dev/null 2>&1
  printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n' > "$t/server.ext"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 30 \
    -extfile "$t/server.ext" -out "$t/server.crt" >/dev/null 2>&1
  chmod 644 "$t/server.key"  # throwaway: Postfix's smtpd (user postfix) and Dovecot read it
}

start_postfix() {
  local m=$1 port=$2 lmtp=$3 auth=$4 p="$1/postfix"
  mkdir -p "$p/queue" "$p/data"
  chown postfix "$p/data"
  cat > "$p/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $p/queue
data_directory = $p/data
maillog_file = $p/maillog
maillog_file_prefixes = $p
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.sequencer.example
mydomain = sequencer.example
myorigin = sequencer.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = sequencer.example
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
smtpd_tls_cert_file = $m/tls/server.crt
smtpd_tls_key_file = $m/tls/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$auth
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_sender_restrictions =
smtputf8_enable = no
smtpd_error_sleep_time = 0
CONF
  cat > "$p/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
  postfix -c "$p" set-permissions >"$p/start.log" 2>&1 || true
  postfix -c "$p" start </dev/null >>"$p/start.log" 2>&1 || { cat "$p/start.log" >&2; exit 1; }
}

wait_port() {
  local port=$1 log=$2
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "services.sh: nothing listens on 127.0.0.1:$port; see $log" >&2
  exit 1
}

stop_mailhost() {
  local m="$dir/mailhost"
  # each through its own pid file: Postfix's master.pid in its queue folder, Dovecot's in base_dir
  [ -f "$m/postfix/queue/pid/master.pid" ] && postfix -c "$m/postfix" stop >/dev/null 2>&1 || true
  [ -f "$m/dovecot/dovecot.conf" ] && dovecot -c "$m/dovecot/dovecot.conf" stop 2>/dev/null || true
}

# -- the DNS server of the address and sender-domain checks ----------------------------------------
# dnsmasq on loopback, answering for .example only (never forwarding, never reading /etc/hosts),
# every query logged: the tests count them. (.example, not .test: email-validator refuses
# addresses at .test.) The zones, one per verdict the tests need:
#   good.example       MX, SPF (mx and an include), DKIM selector sel1, DMARC p=reject, strict
#   nospf.example      like good.example without SPF
#   dmarcnone.example  DMARC p=none
#   nodmarc.example    no DMARC
#   nullmx.example     MX 0 "." (RFC 7505), SPF -all
#   nomx.example       a TXT record only: no MX, no A
#   amx.example        no MX but an A: mail goes to that address
# The SMTP hosts the tests configure are 127.0.0.1 (good.example's MX) and 127.0.0.2 (its
# include); no SPF record covers 127.0.0.9.

start_dns() {
  local d="$dir/dns" port; port=$(free_port)
  rm -rf "$d"; mkdir -p "$d"
  local key="MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsoAPvxvLzCdODN4yuz6XgVXg5UdnJOqbjrALdNfKrDyzAX2SCaMzKfKMeIUvzC4vK3Dq5sGeh3/WLXrNEk+t3M5tv4WEW3jEGYhQIDAQAB"
  cat > "$d/dnsmasq.conf" <<CONF
port=$port
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
local=/example/
user=root
pid-file=$d/dnsmasq.pid
log-queries
log-facility=$d/queries.log
host-record=mail.good.example,127.0.0.1
mx-host=good.example,mail.good.example,10
txt-record=good.example,"v=spf1 mx include:_spf.relay.example -all"
txt-record=_spf.relay.example,"v=spf1 ip4:127.0.0.2/32 ip6:::1 -all"
txt-record=sel1._domainkey.good.example,"v=DKIM1; k=rsa; p=$key"
txt-record=_dmarc.good.example,"v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc@good.example"
mx-host=nospf.example,mail.good.example,10
txt-record=sel1._domainkey.nospf.example,"v=DKIM1; k=rsa; p=$key"
txt-record=_dmarc.nospf.example,"v=DMARC1; p=reject"
mx-host=dmarcnone.example,mail.good.example,10
txt-record=dmarcnone.example,"v=spf1 ip4:127.0.0.1 -all"
txt-record=sel1._domainkey.dmarcnone.example,"v=DKIM1; k=rsa; p=$key"
txt-record=_dmarc.dmarcnone.example,"v=DMARC1; p=none; rua=mailto:dmarc@dmarcnone.example"
mx-host=nodmarc.example,mail.good.example,10
txt-record=nodmarc.example,"v=spf1 ip4:127.0.0.1 -all"
txt-record=sel1._domainkey.nodmarc.example,"v=DKIM1; k=rsa; p=$key"
dns-rr=nullmx.example,15,000000
txt-record=nullmx.example,"v=spf1 -all"
txt-record=nomx.example,"nothing but text here"
host-record=amx.example,1.2.3.4
CONF
  dnsmasq --conf-file="$d/dnsmasq.conf" </dev/null >"$d/startup.log" 2>&1 || { cat "$d/startup.log" >&2; exit 1; }
  for _ in $(seq 100); do
    grep -q "started" "$d/queries.log" 2>/dev/null && [ -s "$d/dnsmasq.pid" ] && break
    sleep 0.1
  done
  [ -s "$d/dnsmasq.pid" ] || { echo "services.sh: dnsmasq did not start; see $d/startup.log" >&2; exit 1; }
  echo "SEQUENCER_TEST_DNS=127.0.0.1:$port,$d/queries.log"  # address, the query log
}

stop_dns() {
  local pidfile="$dir/dns/dnsmasq.pid"
  [ -s "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

case "$cmd" in
  start) need_packages; chmod o+x "$dir"; start_dovecot; start_postgres; start_mailhost; start_dns ;;
  stop) stop_dovecot; stop_postgres; stop_mailhost; stop_dns ;;
  start-dns) command -v dnsmasq >/dev/null 2>&1 || need_packages; start_dns ;;
  stop-dns) stop_dns ;;
  start-pg) [ -n "$(pg_bin)" ] || need_packages; mkdir -p "$dir"; chmod o+x "$dir"; start_postgres ;;
  stop-pg) stop_postgres ;;
  *) echo "usage: services.sh start|stop|start-dns|stop-dns|start-pg|stop-pg DIR" >&2; exit 2 ;;
esac
