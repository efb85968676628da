#!/usr/bin/env bash
# A standalone Flink 2.2.1 session cluster on 127.0.0.1: one JobManager and N TaskManagers,
# each its own JVM, run from the Maven-resolved jars (deploy/local/pom.xml, profile flink)
# the way flink-dist's bin/ scripts would run them.
#
#   flink.sh start [--taskmanagers 2]   # JobManager + N TaskManagers, waits for registration
#   flink.sh stop                       # every recorded process, TaskManagers first
#   flink.sh status                     # exit 0 running, 3 not running
#   flink.sh start-taskmanager          # one more TaskManager (e.g. a replacement)
#   flink.sh kill-taskmanager N         # kill -9 TaskManager tm-N (numbered in start order)
#   flink.sh cli ARGS...                # Flink's CLI against this cluster, e.g.
#       flink.sh cli run -d job.jar      flink.sh cli list      flink.sh cli stop -p JOB_ID
#   flink.sh lib                        # resolves the cluster's jars (once) and prints their directory
#
# Environment: LINKAGE_WORK (default deploy/local/work), FLINK_REST_PORT (8081),
# FLINK_RPC_PORT (6123), FLINK_PROM_PORTS (9250-9260), FLINK_START_TIMEOUT (60 s).
# Config is rendered from config/flink/local-session.yaml into $LINKAGE_WORK/flink-conf/config.yaml;
# logs, pid files, checkpoints and savepoints live in $LINKAGE_WORK/flink/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LIB="$HERE/target/flink-lib"
CONF="$WORK/flink-conf"
FDIR="$WORK/flink"
LOGS="$FDIR/log"
JM_PIDFILE="$FDIR/jobmanager.pid"
TM_SEQ="$FDIR/taskmanager.seq"
REST_PORT="${FLINK_REST_PORT:-8081}"
RPC_PORT="${FLINK_RPC_PORT:-6123}"
PROM_PORTS="${FLINK_PROM_PORTS:-9250-9260}"
REST="http://127.0.0.1:$REST_PORT"
JM_MAIN=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_MAIN=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
START_TIMEOUT="${FLINK_START_TIMEOUT:-60}"

# Flink's default env.java.opts.all (flink-dist conf/config.yaml). The bin/ scripts put it on the
# java command line; the processes do not apply it from config.yaml themselves, and without it
# Kryo/reflection on JDK classes fails at run time on Java 17.
JAVA_OPTS_ALL=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

tm_pidfile() { echo "$FDIR/taskmanager-$1.pid"; }

# Ids (N of tm-N) of the TaskManagers whose recorded process is alive.
live_tm_ids() {
  local f id
  for f in "$FDIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    id="${f##*/taskmanager-}"; id="${id%.pid}"
    if pid_alive "$f" "$TM_MAIN"; then echo "$id"; fi
  done | sort -n
}

render_conf() {
  mkdir -p "$CONF" "$LOGS" "$FDIR/tmp" "$FDIR/web-tmp" "$FDIR/web-upload" "$FDIR/checkpoints" "$FDIR/savepoints" "$FDIR/changelog"
  sed -e "s|@WORK@|$WORK|g" -e "s|@REST_PORT@|$REST_PORT|g" -e "s|@RPC_PORT@|$RPC_PORT|g" \
    -e "s|@PROM_PORTS@|$PROM_PORTS|g" "$HERE/../../config/flink/local-session.yaml" >"$CONF/config.yaml"
  cp "$HERE/log4j-flink.properties" "$CONF/log4j.properties"
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: the JVM memory flags (line 1)
# and the -D dynamic properties (line 2) exactly as the bin/ scripts derive them from config.yaml.
resource_params() {
  local out lines
  out="$("$JAVA" -Xmx128m -Dlog4j2.configurationFile="file:$CONF/log4j.properties" -Dlog.file="$LOGS/bash-java-utils.log" \
    -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1)" ||
    { echo "$out" >&2; die "BashJavaUtils $1 failed"; }
  lines="$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')" || true
  [[ "$(wc -l <<<"$lines")" -eq 2 && -n "$lines" ]] || { echo "$out" >&2; die "unexpected BashJavaUtils $1 output"; }
  echo "$lines"
}

start_jobmanager() {
  local params jvm dyn pid
  params="$(resource_params GET_JM_RESOURCE_PARAMS)"
  read -r -a jvm <<<"$(sed -n 1p <<<"$params")"
  read -r -a dyn <<<"$(sed -n 2p <<<"$params")"
  pid="$(start_java "$LOGS/jobmanager.out" "${jvm[@]}" "${JAVA_OPTS_ALL[@]}" \
    -Dlog.file="$LOGS/jobmanager.log" -Dlog4j2.configurationFile="file:$CONF/log4j.properties" \
    -Djava.io.tmpdir="$FDIR/tmp" -cp "$LIB/*" "$JM_MAIN" --configDir "$CONF" --executionMode cluster "${dyn[@]}")"
  echo "$pid" >"$JM_PIDFILE"
}

# start_taskmanager: starts tm-<next id>, prints the id. TM_JVM/TM_DYN must be set.
start_taskmanager() {
  local id pid
  id=$(($(cat "$TM_SEQ" 2>/dev/null || echo 0) + 1))
  echo "$id" >"$TM_SEQ"
  # A fixed resource id names the TaskManager in the REST API, the logs and the metrics.
  pid="$(start_java "$LOGS/taskmanager-$id.out" "${TM_JVM[@]}" "${JAVA_OPTS_ALL[@]}" \
    -Dlog.file="$LOGS/taskmanager-$id.log" -Dlog4j2.configurationFile="file:$CONF/log4j.properties" \
    -Djava.io.tmpdir="$FDIR/tmp" -cp "$LIB/*" "$TM_MAIN" --configDir "$CONF" "${TM_DYN[@]}" \
    -D "taskmanager.resource-id=tm-$id")"
  echo "$pid" >"$(tm_pidfile "$id")"
  echo "$id"
}

load_tm_params() {
  local params
  params="$(resource_params GET_TM_RESOURCE_PARAMS)"
  read -r -a TM_JVM <<<"$(sed -n 1p <<<"$params")"
  read -r -a TM_DYN <<<"$(sed -n 2p <<<"$params")"
}

# wait_registered DEADLINE ID...: until the REST API lists every tm-ID; fails early when a
# process it waits for has died.
wait_registered() {
  local deadline="$1"; shift
  local json id missing
  while ((SECONDS < deadline)); do
    pid_alive "$JM_PIDFILE" "$JM_MAIN" || die "JobManager exited (log: $LOGS/jobmanager.log)"
    for id in "$@"; do
      pid_alive "$(tm_pidfile "$id")" "$TM_MAIN" || die "TaskManager tm-$id exited (log: $LOGS/taskmanager-$id.log)"
    done
    json="$(curl -sf --max-time 2 "$REST/taskmanagers" 2>/dev/null || true)"
    missing=0
    for id in "$@"; do
      grep -q "\"id\":\"tm-$id\"" <<<"$json" || missing=1
    done
    ((missing)) || return 0
    sleep 0.5
  done
  die "TaskManagers $(printf "tm-%s " "$@")not registered within ${START_TIMEOUT} s (logs in $LOGS)"
}

prom_port() { grep -ho 'Started PrometheusReporter HTTP server on port [0-9]*' "$1" 2>/dev/null | tail -n 1 | awk '{print $NF}'; }

do_stop() {
  local id
  for id in $(live_tm_ids); do stop_pid "$(tm_pidfile "$id")" "$TM_MAIN" "TaskManager tm-$id" 20; done
  rm -f "$FDIR"/taskmanager-*.pid
  stop_pid "$JM_PIDFILE" "$JM_MAIN" JobManager 30
}

do_start() {
  local n=2
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --taskmanagers) n="${2:?--taskmanagers needs a value}"; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ "$n" =~ ^[0-9]+$ ]] || die "--taskmanagers must be a number: $n"
  if pid_alive "$JM_PIDFILE" "$JM_MAIN"; then
    say "already running (JobManager pid $(cat "$JM_PIDFILE"), TaskManagers: $(live_tm_ids | sed 's/^/tm-/' | paste -sd' ' -)), REST $REST"
    return 0
  fi
  command -v curl >/dev/null || die "curl is needed to watch the REST API"
  # TaskManagers left from a JobManager that died on its own would register with the new one.
  if [[ -n "$(live_tm_ids)" ]]; then say "stopping TaskManagers left from an earlier cluster"; do_stop; fi
  rm -f "$FDIR"/taskmanager-*.pid "$JM_PIDFILE" "$TM_SEQ"
  # Nothing of this cluster runs now: drop what killed processes left in their temp dirs
  # (an extracted RPC jar of 21 MB each, TaskManager working dirs). Checkpoints stay.
  rm -rf "${FDIR:?}/tmp"
  ensure_jars flink "$LIB"
  require_free_port "$REST_PORT" "Flink REST"
  require_free_port "$RPC_PORT" "Flink JobManager RPC"
  render_conf

  local t0=$SECONDS deadline=$((SECONDS + START_TIMEOUT)) ids=() i
  # From here on a failed start must not leave any process behind.
  trap 'do_stop >/dev/null 2>&1 || true' EXIT
  start_jobmanager
  load_tm_params
  for ((i = 0; i < n; i++)); do ids+=("$(start_taskmanager)"); done
  wait_registered "$deadline" "${ids[@]}"
  local overview
  overview="$(curl -sf --max-time 2 "$REST/overview")" || die "no answer from $REST/overview"
  grep -q "\"taskmanagers\":$n," <<<"$overview" || die "expected $n TaskManagers, REST says: $overview"
  trap - EXIT
  echo "$REST_PORT" >"$FDIR/rest-port"
  say "started in $((SECONDS - t0)) s: JobManager pid $(cat "$JM_PIDFILE"), $n TaskManagers, REST $REST, logs $LOGS"
  say "overview: $overview"
}

do_start_taskmanager() {
  pid_alive "$JM_PIDFILE" "$JM_MAIN" || die "no JobManager running: use flink.sh start"
  local t0=$SECONDS id
  load_tm_params
  id="$(start_taskmanager)"
  trap 'stop_pid "$(tm_pidfile "$id")" "$TM_MAIN" "TaskManager tm-$id" 10 >/dev/null 2>&1 || true' EXIT
  wait_registered $((SECONDS + START_TIMEOUT)) "$id"
  trap - EXIT
  say "TaskManager tm-$id (pid $(cat "$(tm_pidfile "$id")")) registered in $((SECONDS - t0)) s"
}

do_kill_taskmanager() {
  local id="${1:-}" f pid i
  [[ "$id" =~ ^[0-9]+$ ]] || usage
  f="$(tm_pidfile "$id")"
  pid_alive "$f" "$TM_MAIN" || die "TaskManager tm-$id is not running (running: $(live_tm_ids | sed 's/^/tm-/' | paste -sd' ' -))"
  pid="$(cat "$f")"
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do pid_alive "$f" "$TM_MAIN" || break; sleep 0.1; done
  pid_alive "$f" "$TM_MAIN" && die "TaskManager tm-$id (pid $pid) survived kill -9"
  rm -f "$f"
  say "killed TaskManager tm-$id (pid $pid) with SIGKILL; the JobManager declares it lost after heartbeat.timeout (10 s)"
}

# Flink's CliFrontend (bin/flink) with this cluster's conf dir, so that -m is not needed. It needs
# the same --add-opens: it runs the job's main(), which builds the job graph by reflection.
do_cli() {
  [[ -f "$CONF/config.yaml" ]] || die "no cluster configuration yet: use flink.sh start"
  FLINK_CONF_DIR="$CONF" "$JAVA" -Xmx512m "${JAVA_OPTS_ALL[@]}" \
    -Dlog.file="$LOGS/client.log" -Dlog4j2.configurationFile="file:$CONF/log4j.properties" \
    -Djava.io.tmpdir="$FDIR/tmp" -cp "$LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
}

do_status() {
  if ! pid_alive "$JM_PIDFILE" "$JM_MAIN"; then
    say "not running"
    [[ -z "$(live_tm_ids)" ]] || say "but TaskManagers without a JobManager are: $(live_tm_ids | sed 's/^/tm-/' | paste -sd' ' -) (flink.sh stop ends them)"
    return 3
  fi
  local pid id
  pid="$(cat "$JM_PIDFILE")"
  say "JobManager   pid $pid, RSS $(rss_mb "$pid") MB, prometheus port $(prom_port "$LOGS/jobmanager.log"), REST $REST"
  for id in $(live_tm_ids); do
    pid="$(cat "$(tm_pidfile "$id")")"
    say "TaskManager tm-$id pid $pid, RSS $(rss_mb "$pid") MB, prometheus port $(prom_port "$LOGS/taskmanager-$id.log")"
  done
  say "overview: $(curl -sf --max-time 2 "$REST/overview" || echo 'no answer from the REST API')"
}

cmd="${1:-}"; [[ -n "$cmd" ]] || usage; shift
mkdir -p "$FDIR"
# Commands other than start talk to the cluster on the REST port it was started with.
if [[ "$cmd" != start && -z "${FLINK_REST_PORT:-}" && -f "$FDIR/rest-port" ]]; then
  REST_PORT="$(cat "$FDIR/rest-port")"
  REST="http://127.0.0.1:$REST_PORT"
fi
case "$cmd" in
  start) do_start "$@" ;;
  stop) [[ $# -eq 0 ]] || usage; do_stop ;;
  status) [[ $# -eq 0 ]] || usage; do_status ;;
  start-taskmanager) [[ $# -eq 0 ]] || usage; do_start_taskmanager ;;
  kill-taskmanager) [[ $# -eq 1 ]] || usage; do_kill_taskmanager "$1" ;;
  cli) ensure_jars flink "$LIB"; do_cli "$@" ;;
  lib) [[ $# -eq 0 ]] || usage; ensure_jars flink "$LIB" >&2; echo "$LIB" ;;
  *) usage ;;
esac
