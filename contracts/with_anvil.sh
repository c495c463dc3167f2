#!/bin/sh
# with_anvil.sh ANVIL COMMAND ARGS...: starts anvil on 127.0.0.1 on the first free port
# from 18545, runs COMMAND with "@RPC@" in its arguments replaced by the node's URL, stops
# anvil and exits with COMMAND's status.
set -u
anvil=$1
shift
port=18545
while :; do
  "$anvil" --host 127.0.0.1 --port "$port" --silent >/dev/null 2>&1 &
  pid=$!
  sleep 0.5
  if kill -0 "$pid" 2>/dev/null; then break; fi
  port=$((port + 1))
  if [ "$port" -gt 18600 ]; then echo "with_anvil.sh: no free port for anvil" >&2; exit 1; fi
done
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT INT TERM
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
