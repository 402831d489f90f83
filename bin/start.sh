#!/usr/bin/env bash
# Starts the replicator service in the background with conf/replicator.conf (or $RMQR_CONF).
# Logs go to logs/replicator.log, the pid to data/replicator.pid. Extra arguments are passed to
# `redis-mq-replicator replicate` (e.g. --set sink=stdout). --foreground runs it attached (containers).
set -euo pipefail
HOME_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$HOME_DIR"
CONF="${RMQR_CONF:-conf/replicator.conf}"
PID_FILE="${RMQR_PID_FILE:-data/replicator.pid}"
LOG_FILE="${RMQR_LOG_FILE:-logs/replicator.log}"

if [ ! -f dist/src/cli/main.js ]; then
  echo "start.sh: not built yet; run: npm ci && npm run build" >&2
  exit 2
fi
if [ ! -f "$CONF" ]; then
  echo "start.sh: config file $CONF not found (set RMQR_CONF)" >&2
  exit 2
fi

if [ "${1:-}" = "--foreground" ]; then
  shift
  exec node dist/src/cli/main.js replicate --config "$CONF" "$@"
fi

if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "start.sh: already running (pid $(cat "$PID_FILE")); stop it with bin/stop.sh" >&2
  exit 1
fi
mkdir -p "$(dirname "$PID_FILE")" "$(dirname "$LOG_FILE")"
nohup node dist/src/cli/main.js replicate --config "$CONF" "$@" >>"$LOG_FILE" 2>&1 &
echo $! >"$PID_FILE"
sleep 1
if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "start.sh: the replicator exited at once; last lines of $LOG_FILE:" >&2
  tail -n 20 "$LOG_FILE" >&2
  rm -f "$PID_FILE"
  exit 1
fi
echo "redis-mq-replicator started (pid $(cat "$PID_FILE")), config $CONF, log $LOG_FILE"
