#!/usr/bin/env bash
# The local AWS: moto in server mode on loopback, standing in for the AWS API.
#   scripts/local-aws.sh start    start it (if not already answering) and wait until it answers
#   scripts/local-aws.sh stop     stop the one this script started
#   scripts/local-aws.sh reset    empty every service (POST /moto-api/reset)
#   scripts/local-aws.sh status   say whether it answers
#   scripts/local-aws.sh env      print the exports that point AWS clients at it
# Port: LOCAL_AWS_PORT (default 4566). Requests are recorded to .local/moto/recording.jsonl so
# that tests can count API calls from the local AWS's own record.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

state="$WEBSTACK_STATE/moto"
pidfile="$state/moto.pid"
logfile="$state/moto.log"
mkdir -p "$state"

answers() { curl -fsS -o /dev/null --max-time 2 "$LOCAL_AWS_URL/moto-api/" 2>/dev/null; }

start() {
    if answers; then
        echo "local AWS already answers at $LOCAL_AWS_URL"
        return 0
    fi
    [ -x "$WEBSTACK_VENV/bin/moto_server" ] || { echo "moto_server missing: run scripts/setup.sh" >&2; exit 1; }
    # moto's server, with the corrections listed in scripts/lib/local_moto.py
    # Managed policies (AmazonSSMManagedInstanceCore, ...) exist only when loaded at start.
    MOTO_IAM_LOAD_MANAGED_POLICIES=true \
    MOTO_ENABLE_RECORDING=true \
    MOTO_RECORDER_FILEPATH="$state/recording.jsonl" \
    MOTO_ACM_VALIDATION_WAIT="${MOTO_ACM_VALIDATION_WAIT:-5}" \
        nohup "$WEBSTACK_VENV/bin/python" "$WEBSTACK_ROOT/scripts/lib/local_moto.py" -H "$LOCAL_AWS_HOST" -p "$LOCAL_AWS_PORT" \
        >"$logfile" 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 100); do
        if answers; then
            echo "local AWS answers at $LOCAL_AWS_URL (pid $(cat "$pidfile"))"
            return 0
        fi
        kill -0 "$(cat "$pidfile")" 2>/dev/null || break
        sleep 0.2
    done
    echo "local AWS did not start; last lines of $logfile:" >&2
    tail -n 20 "$logfile" >&2
    exit 1
}

stop() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")"
        echo "local AWS stopped"
    else
        echo "no local AWS started by this script is running"
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    reset) curl -fsS -X POST "$LOCAL_AWS_URL/moto-api/reset" >/dev/null && echo "local AWS reset" ;;
    status) if answers; then echo "answers at $LOCAL_AWS_URL"; else echo "not answering at $LOCAL_AWS_URL"; exit 1; fi ;;
    env)
        echo "export AWS_ENDPOINT_URL=$LOCAL_AWS_URL"
        echo "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
        ;;
    *) echo "usage: $0 start|stop|reset|status|env" >&2; exit 2 ;;
esac
