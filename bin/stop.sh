#!/usr/bin/env bash
# Stops the service started by bin/start.sh: SIGTERM (it publishes what it has read and saves its
# checkpoint), then waits up to $RMQR_STOP_TIMEOUT seconds (default 60) before SIGKILL.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HOME_DIR"
PID_FILE="${RMQR_PID_FILE:-data/replicator.pid}"
TIMEOUT="${RMQR_STOP_TIMEOUT:-60}"

if [ ! -f "$PID_FILE" ]; then
  echo "stop.sh: not running (no $PID_FILE)"
  exit 0
fi
PID="$(cat "$PID_FILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "stop.sh: not running (stale pid $PID)"
  rm -f "$PID_FILE"
  exit 0
fi
kill -TERM "$PID"
for _ in $(seq 1 $((TIMEOUT * 10))); do
  if ! kill -0 "$PID" 2>/dev/null; then
    rm -f "$PID_FILE"
    echo "redis-mq-replicator stopped (pid $PID)"
    exit 0
  fi
  sleep 0.1
done
echo "stop.sh: pid $PID still running after ${TIMEOUT}s; sending SIGKILL (the next start resumes from the checkpoint)" >&2
kill -KILL "$PID" 2>/dev/null || true
rm -f "$PID_FILE"
