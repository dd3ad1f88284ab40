#!/usr/bin/env bash
# scripts/cluster/auth-registry.sh start|stop|status — a second, password-protected registry for the real-cluster
# tests, inside the cluster's network namespace on http://10.250.0.1:5001 (plain http, htpasswd auth).
#
# Why: the cluster's own registry (10.250.0.1:5000) has no auth, so it cannot show that the builder pod's package step
# really uses the push credentials from a Secret, or that a wrong password ends as PushUnauthorized. This one is only
# pushed to (by the package step, from a pod); containerd never pulls from it.
#
#   start   user `e2e` with a fresh random password per start, written as `e2e:PASSWORD` to
#           /var/cache/minimal-image/auth-registry/credentials (mode 0600); storage in a new temp dir; prints the
#           registry address (10.250.0.1:5001) on stdout. Already running (same netns, answers 401) -> just prints it.
#   stop    kills the recorded PID (only if it still is our docker-registry process), removes the temp storage and
#           the credentials.
#   status  exit 0 and print the address when it is up and answering 401 on /v2/.
# Debian's docker-registry is started with nsenter --net=/run/netns/mimgkube (the address exists only there) with a
# config written here; every wait is bounded. Environment: MIMG_NETNS (mimgkube), AUTH_REGISTRY_ADDR
# (10.250.0.1:5001), AUTH_REGISTRY_DIR (/var/cache/minimal-image/auth-registry), AUTH_REGISTRY_WAIT (seconds, 20).
set -euo pipefail

NETNS=${MIMG_NETNS:-mimgkube}
NETNS_PATH=/run/netns/$NETNS
ADDR=${AUTH_REGISTRY_ADDR:-10.250.0.1:5001}
DIR=${AUTH_REGISTRY_DIR:-/var/cache/minimal-image/auth-registry}
WAIT=${AUTH_REGISTRY_WAIT:-20}
USER_NAME=e2e
PIDFILE=$DIR/pid              # "PID EXE"
CREDS=$DIR/credentials        # user:password
STORAGE_REC=$DIR/storage-dir  # path of this start's temp storage

log() { printf '[auth-registry %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
knet() { nsenter --net="$NETNS_PATH" -- "$@"; }

# the recorded pid, if that process is still our docker-registry (same executable, serving our config)
our_pid() {
  local pid exe
  [ -s "$PIDFILE" ] || return 1
  read -r pid exe < "$PIDFILE"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "serve $DIR/config.yml" || return 1
  echo "$pid"
}
# HTTP status of GET /v2/ without credentials, from inside the netns
v2_status() { knet curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://$ADDR/v2/" 2>/dev/null || true; }
same_netns() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$(stat -L -c %i "$NETNS_PATH" 2>/dev/null)" ]; }

stop() {
  local pid i
  if pid=$(our_pid); then
    log "stopping docker-registry (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done   # bounded: 10 s
    if [ -d "/proc/$pid" ]; then log "pid $pid did not exit in 10 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  elif [ -s "$PIDFILE" ]; then
    log "recorded pid $(cut -d' ' -f1 "$PIDFILE") is not our docker-registry any more: not killing anything"
  fi
  rm -f "$PIDFILE"
  if [ -s "$STORAGE_REC" ]; then
    local s; s=$(cat "$STORAGE_REC")
    case $s in /tmp/mimg-auth-registry.*) rm -rf -- "$s" ;; *) log "not removing unexpected storage path $s" ;; esac
  fi
  rm -f "$STORAGE_REC" "$CREDS" "$DIR/htpasswd"
}

start() {
  local pid
  [ -e "$NETNS_PATH" ] || die "network namespace $NETNS not found: is the cluster up (/work/shared/kube/up.sh)?"
  if pid=$(our_pid); then
    if same_netns "$pid" && [ "$(v2_status)" = 401 ] && [ -s "$CREDS" ]; then
      log "already running (pid $pid), credentials in $CREDS"
      echo "$ADDR"; return 0
    fi
    log "pid $pid is not serving in the current $NETNS netns (cluster recreated?): restarting"
  fi
  stop
  if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
    log "installing docker-registry apache2-utils from Debian"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends docker-registry apache2-utils >&2 \
      || die "apt-get install docker-registry apache2-utils failed"
  fi
  local st; st=$(v2_status)
  [ "$st" = 000 ] || die "something else already answers on http://$ADDR (HTTP $st)"

  mkdir -p "$DIR"; chmod 0700 "$DIR"
  local storage password secret exe
  storage=$(mktemp -d /tmp/mimg-auth-registry.XXXXXX)
  echo "$storage" > "$STORAGE_REC"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
  ( umask 077
    printf '%s:%s\n' "$USER_NAME" "$password" > "$CREDS.new" && mv -f "$CREDS.new" "$CREDS"
    # bcrypt (the only hash docker-registry accepts); the password goes through stdin, never the command line
    printf '%s\n' "$password" | htpasswd -niB "$USER_NAME" > "$DIR/htpasswd"
    cat > "$DIR/config.yml" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: $ADDR
  secret: $secret
auth:
  htpasswd:
    realm: mimg-e2e
    path: $DIR/htpasswd
YAML
  )
  chmod 0600 "$CREDS"
  exe=$(readlink -f "$(command -v docker-registry)")
  echo "=== start $(date -Is)" >> "$DIR/registry.log"
  # setsid, nsenter (no --fork) and docker-registry all exec, so $! is the registry's own pid
  setsid nsenter --net="$NETNS_PATH" -- "$exe" serve "$DIR/config.yml" >> "$DIR/registry.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid $exe" > "$PIDFILE"
  local end=$(( $(date +%s) + WAIT ))
  until [ "$(v2_status)" = 401 ]; do
    [ -d "/proc/$pid" ] || { tail -20 "$DIR/registry.log" >&2; stop; die "docker-registry exited at start"; }
    [ "$(date +%s)" -lt "$end" ] || { tail -20 "$DIR/registry.log" >&2; stop; die "no 401 on http://$ADDR/v2/ within ${WAIT}s"; }
    sleep 0.2
  done
  # the generated credentials must be accepted (curl reads them from stdin, not from its command line)
  st=$(printf 'user = "%s"\n' "$USER_NAME:$password" \
    | knet curl -s -o /dev/null --max-time 5 -w '%{http_code}' -K - "http://$ADDR/v2/" || true)
  [ "$st" = 200 ] || { stop; die "the generated credentials are refused (HTTP $st)"; }
  log "started docker-registry (pid $pid) on http://$ADDR, user $USER_NAME, credentials in $CREDS, storage $storage"
  echo "$ADDR"
}

case "${1:-}" in
  start) start ;;
  stop) stop; log "stopped" ;;
  status)
    if pid=$(our_pid) && same_netns "$pid" && [ "$(v2_status)" = 401 ]; then echo "$ADDR"; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
