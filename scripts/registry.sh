#!/usr/bin/env bash
# Starts/stops a throwaway Distribution registry (Debian docker-registry) on 127.0.0.1 only.
#   scripts/registry.sh start DIR [PORT]   -> prints the host:port; state (config, storage, pid, log) lives in DIR
#   scripts/registry.sh stop DIR
set -euo pipefail
cmd=${1:?usage: registry.sh start|stop DIR [PORT]}
dir=${2:?usage: registry.sh start|stop DIR [PORT]}

case "$cmd" in
start)
  port=${3:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}
  mkdir -p "$dir/storage"
  cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: local-only
YAML
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 100); do   # bounded: 10 s
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then echo "127.0.0.1:$port"; exit 0; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/registry.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "registry did not start in 10 s" >&2; cat "$dir/registry.log" >&2; exit 1 ;;
stop)
  if [[ -f "$dir/pid" ]]; then
    pid=$(cat "$dir/pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
  fi ;;
*) echo "usage: registry.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
