# shellcheck shell=bash
# Shared by the fault scripts in infra/faults (sourced, not run). Each script gets a platform of its own:
# Kafka from `infra/run-local --kafka-only` and the two services from `infra/run-local --services-only`, on
# non-default ports, with data, logs and Kafka Streams state in a fresh temporary directory (FAULT_WORK), so a
# user's own `infra/run-local` (ports 9092/9093/8080/8081, infra/data) is neither touched nor in the way.
# Everything started here is stopped on exit (trap), by process id; nothing but 127.0.0.1 is contacted.
#
# Before sourcing, a script sets FAULT_NAME and the default ports (FAULT_KAFKA_PORT ...); the user may override
# KAFKA_PORT, KAFKA_CONTROLLER_PORT, INGEST_PORT, FANOUT_PORT and KEEP_WORK=1 (keep logs after a success too).

FAULTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$FAULTS_DIR/../.." && pwd)"
RUN_LOCAL="$ROOT/infra/run-local"
# shellcheck source=../lib/processes.sh
source "$ROOT/infra/lib/processes.sh"

export KAFKA_PORT="${KAFKA_PORT:-$FAULT_KAFKA_PORT}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$FAULT_CONTROLLER_PORT}"
export INGEST_PORT="${INGEST_PORT:-$FAULT_INGEST_PORT}"
export FANOUT_PORT="${FANOUT_PORT:-$FAULT_FANOUT_PORT}"
export STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-180}"

FAULT_WORK="$(mktemp -d "${TMPDIR:-/tmp}/fanout-$FAULT_NAME.XXXXXX")"
KAFKA_RUN_DIR="$FAULT_WORK/kafka-run"
SERVICES_RUN_DIR="$FAULT_WORK/services-run"
export FANOUT_DATA_DIR="$FAULT_WORK/data"
KAFKA_LAUNCHER_PID="" SERVICES_LAUNCHER_PID="" FANOUT_LAUNCHER_PID=""
FAULT_OK=0

log() { printf '[%s %s] %s\n' "$FAULT_NAME" "$(date +%T)" "$*" >&2; }

# The pids of the JVMs of this platform: their command lines name our work directory (Kafka's config) or our
# broker port (the services' --spring.kafka.bootstrap-servers). Never a broad match on a name.
our_jvms() {
  { java_pids_matching "*$FAULT_WORK/*"; java_pids_matching "*bootstrap-servers=127.0.0.1:$KAFKA_PORT *"; } | sort -u
}

# The kafka.Kafka process of this platform (main class kafka.Kafka, config in our run dir), or nothing.
kafka_pid() {
  java_pids_matching "* kafka.Kafka $KAFKA_RUN_DIR/server.properties*" | head -n 1
}

cleanup() {
  local rc=$? pid
  trap '' INT TERM
  # launchers that a client restarted leave their pid in a file
  KAFKA_LAUNCHER_PID="$(cat "$FAULT_WORK/kafka-launcher.pid" 2>/dev/null || echo "$KAFKA_LAUNCHER_PID")"
  FANOUT_LAUNCHER_PID="$(cat "$FAULT_WORK/fanout-launcher.pid" 2>/dev/null || echo "$FANOUT_LAUNCHER_PID")"
  for pid in "$FANOUT_LAUNCHER_PID" "$SERVICES_LAUNCHER_PID" "$KAFKA_LAUNCHER_PID"; do
    if pid_alive "$pid"; then kill -TERM "$pid" 2>/dev/null; wait_gone "$pid" 90 || kill -KILL "$pid" 2>/dev/null; fi
  done
  # Whatever a launcher left behind (a launcher killed -9, a JVM started by hand): by pid, ours only.
  for pid in $(our_jvms); do kill -TERM "$pid" 2>/dev/null; done
  for pid in $(our_jvms); do wait_gone "$pid" 30 || kill -KILL "$pid" 2>/dev/null; done
  if [[ "$FAULT_OK" == 1 && "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$FAULT_WORK"
  else
    log "logs kept in $FAULT_WORK (kafka-run/, services-run/, *.log)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts Kafka through run-local (in the background) and waits until it is ready.
start_kafka() {
  FANOUT_RUN_DIR="$KAFKA_RUN_DIR" "$RUN_LOCAL" --kafka-only >>"$FAULT_WORK/kafka-launcher.log" 2>&1 </dev/null &
  KAFKA_LAUNCHER_PID=$!
  echo "$KAFKA_LAUNCHER_PID" >"$FAULT_WORK/kafka-launcher.pid"
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  until grep -q "fanout is up" "$FAULT_WORK/kafka-launcher.log" 2>/dev/null; do
    pid_alive "$KAFKA_LAUNCHER_PID" || { tail -n 30 "$FAULT_WORK/kafka-launcher.log" >&2; log "Kafka's run-local exited"; exit 1; }
    ((SECONDS < deadline)) || { log "Kafka not ready within ${STARTUP_TIMEOUT}s"; exit 1; }
    sleep 0.2
  done
}

# Starts both services through run-local --services-only (in the background) and waits until both are healthy.
# Extra service arguments: INGEST_ARGS / FANOUT_ARGS (see run-local).
# With SPLIT_SERVICES=1 each service gets a launcher of its own (RUN_SERVICES), so one can die alone.
start_services() {
  if [[ "${SPLIT_SERVICES:-0}" == 1 ]]; then
    RUN_SERVICES=ingest-service start_launcher "$SERVICES_RUN_DIR" services-launcher
    SERVICES_LAUNCHER_PID="$LAUNCHER_PID"
    RUN_SERVICES=fanout-service start_launcher "$FAULT_WORK/fanout-run" fanout-launcher
    FANOUT_LAUNCHER_PID="$LAUNCHER_PID"
    echo "$FANOUT_LAUNCHER_PID" >"$FAULT_WORK/fanout-launcher.pid"
  else
    start_launcher "$SERVICES_RUN_DIR" services-launcher
    SERVICES_LAUNCHER_PID="$LAUNCHER_PID"
  fi
}

# The command line that starts services through run-local --services-only (RUN_SERVICES picks which).
launcher_cmd() { # run-dir
  printf 'INGEST_ARGS=%q FANOUT_RUN_DIR=%q %q --services-only' \
    "--fanout.directory.state-dir=$FAULT_WORK/streams ${INGEST_ARGS:-}" "$1" "$RUN_LOCAL"
}

start_launcher() { # run-dir log-name
  bash -c "$(launcher_cmd "$1")" >>"$FAULT_WORK/$2.log" 2>&1 </dev/null &
  LAUNCHER_PID=$!
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  until grep -q "fanout is up" "$FAULT_WORK/$2.log" 2>/dev/null; do
    pid_alive "$LAUNCHER_PID" || { tail -n 30 "$FAULT_WORK/$2.log" >&2; log "the services' run-local exited"; exit 1; }
    ((SECONDS < deadline)) || { log "services not healthy within ${STARTUP_TIMEOUT}s"; exit 1; }
    sleep 0.5
  done
}

start_platform() {
  log "platform on 127.0.0.1: Kafka :$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT), ingest :$INGEST_PORT, fanout :$FANOUT_PORT; work dir $FAULT_WORK"
  start_kafka
  log "Kafka ready"
  start_services
  log "services healthy"
}

# The pid of a service JVM (by its --server.port and our broker).
service_pid() { # port
  java_pids_matching "* --server.port=$1 --spring.kafka.bootstrap-servers=127.0.0.1:$KAFKA_PORT *" | head -n 1
}

# The client side of a fault (tools module: fanout-tools fault <scenario> --help), built first if needed.
run_client() { # scenario options...
  "$ROOT/tools/run" fault "$@"
}
