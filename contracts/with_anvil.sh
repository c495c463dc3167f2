#!/bin/sh
# with_anvil.sh ANVIL COMMAND ARGS...: starts anvil on 127.0.0.1 on a port the kernel
# gives it (--port 0; the port is read from its "Listening on" line), runs COMMAND with
# "@RPC@" in its arguments replaced by the node's URL, stops anvil and exits with
# COMMAND's status.
set -u
anvil=$1
shift
log=$(mktemp)
"$anvil" --host 127.0.0.1 --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT INT TERM
port=
tries=0
while [ -z "$port" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "with_anvil.sh: anvil exited while starting:" >&2
    cat "$log" >&2
    exit 1
  fi
  port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
  if [ -z "$port" ]; then
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then echo "with_anvil.sh: anvil did not listen within 30 s" >&2; exit 1; fi
    sleep 0.1
  fi
done
url="http://127.0.0.1:$port"
n=$#
i=0
while [ "$i" -lt "$n" ]; do
  a=$1
  shift
  case $a in *@RPC@*) a=$(printf '%s' "$a" | sed "s|@RPC@|$url|g") ;; esac
  set -- "$@" "$a"
  i=$((i + 1))
done
"$@"
status=$?
exit "$status"
