#!/usr/bin/env bash
# Broker faults under the live job, on a real Kafka broker run as a separate JVM (kafka.sh) and
# the live job on a local MiniCluster (./linkage run), fed by ./linkage feed and checked by
# ./linkage audit, as a consumer reads the alert topics:
#   1. at-least-once, then exactly-once (the audit reads read_committed): feed the demo scenario,
#      stop the broker for 30 s mid-stream and start it again. The job must recover by itself,
#      every planted alert arrive, the last revision of every alert reach every recipient, and no
#      (alert id, revision, recipient) carry two contents. Prints the longest alert delay seen.
#   2. an alert topic deleted under the running job: one line in the job's log says so; the job
#      fails over until the topic exists again, and then what it sent since the deletion arrives.
#      With restarts switched off, the job fails and ./linkage run's last line says why.
# Each phase has its own topic prefix and consumer group on the one broker. Cleans up after itself.
# Environment: KAFKA_PORT (39092), FAULT_REST_PORT (38081, the job's REST API), OUTAGE_SECONDS (30).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

export LINKAGE_WORK="$root/jobs/cli/target/broker-fault-test/work"
KAFKA_PORT="${KAFKA_PORT:-39092}"
REST_PORT="${FAULT_REST_PORT:-38081}"
OUTAGE="${OUTAGE_SECONDS:-30}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REST="http://127.0.0.1:$REST_PORT"
OUT="$root/jobs/cli/target/broker-fault-test"

log() { printf 'broker-fault-test: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

job_pid=""
stop_job() {   # the ./linkage run JVM this script started, by its pid
  [ -n "$job_pid" ] || return 0
  kill -TERM "$job_pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$job_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$job_pid" 2>/dev/null || true
  wait "$job_pid" 2>/dev/null || true
  job_pid=""
}
feeder=""
cleanup() {
  local code=$?
  [ -z "$feeder" ] || kill -TERM "$feeder" 2>/dev/null || true
  stop_job
  "$here/kafka.sh" stop >/dev/null 2>&1 || true
  [ $code -eq 0 ] || log "logs: $OUT/*/job.log, $LINKAGE_WORK/kafka/logs"
  exit $code
}
trap cleanup EXIT INT TERM

rm -rf "$OUT"; mkdir -p "$OUT"
./linkage --version >/dev/null   # builds the command line if needed

now_ms() { date +%s%3N; }
job_id() { curl -sf "$REST/jobs/overview" | python3 -c '
import json,sys
jobs=[j for j in json.load(sys.stdin)["jobs"] if j["state"] not in ("FINISHED","CANCELED","FAILED")]
print(jobs[0]["jid"] if jobs else "")' 2>/dev/null || true; }
all_running() {   # every vertex of the job RUNNING
  curl -sf "$REST/jobs/$1" | python3 -c '
import json,sys
j=json.load(sys.stdin)
sys.exit(0 if j["state"]=="RUNNING" and all(v["status"]=="RUNNING" for v in j["vertices"]) else 1)' 2>/dev/null
}
failovers() { curl -sf "$REST/jobs/$1/exceptions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["exceptionHistory"]["entries"]))'; }

start_job() {  # phase, delivery guarantee, extra run args...: starts ./linkage run in the background, sets job_pid and job
  local phase="$1" guarantee="$2" deadline=$(( $(date +%s) + 120 )); shift 2
  ! curl -s -o /dev/null "$REST/config" || fail "$REST answers already: another job's REST API is on port $REST_PORT"
  mkdir -p "$OUT/$phase"
  ./linkage run --bootstrap "$BOOTSTRAP" --topic-prefix "$phase." --group "fault-$phase" --create-topics --dev-key \
    --start earliest --parallelism 2 --checkpoint-interval 2s --checkpoint-dir "$OUT/$phase/checkpoints" \
    --set rest.port="$REST_PORT" --set linkage.delivery.guarantee="$guarantee" "$@" > "$OUT/$phase/job.log" 2>&1 &
  job_pid=$!
  job=""
  until [ -n "$job" ] && all_running "$job"; do
    kill -0 "$job_pid" 2>/dev/null || fail "the $phase job exited at start: $(tail -3 "$OUT/$phase/job.log")"
    [ "$(date +%s)" -lt "$deadline" ] || fail "the $phase job is not running after 120 s"
    sleep 1
    job="$(job_id)"
  done
}

audit() {  # phase, expected ids file, extra audit args...
  local phase="$1" expect="$2"; shift 2
  ./linkage audit --bootstrap "$BOOTSTRAP" --topic-prefix "$phase." --expect "$expect" --out "$OUT/$phase/final.jsonl" "$@" \
    | tee "$OUT/$phase/audit.log" >&2
}

log "starting Kafka on $BOOTSTRAP"
"$here/kafka.sh" start --port "$KAFKA_PORT" >&2

delays=()
for guarantee in at-least-once exactly-once; do
  phase=$([ "$guarantee" = at-least-once ] && echo outage-alo || echo outage-eo)
  t_start=$(date +%s)
  start_job "$phase" "$guarantee"
  log "$guarantee: job $job running; feeding the scenario, the broker stops in 15 s for $OUTAGE s"
  ./linkage feed --bootstrap "$BOOTSTRAP" --topic-prefix "$phase." --scenario --duration 90s --rate 100 --seed 11 \
    --planted "$OUT/$phase/planted.txt" > "$OUT/$phase/feed.log" 2>&1 &
  feeder=$!
  sleep 15
  "$here/kafka.sh" stop >&2
  stopped_ms=$(now_ms)
  sleep "$OUTAGE"
  "$here/kafka.sh" start --port "$KAFKA_PORT" >&2
  log "$guarantee: broker back after $(( ($(now_ms) - stopped_ms) / 1000 )) s"
  wait "$feeder" || fail "feeding the scenario failed: $(tail -3 "$OUT/$phase/feed.log")"
  feeder=""
  cat "$OUT/$phase/feed.log" >&2
  audit "$phase" "$OUT/$phase/planted.txt" --timeout 150s --idle 8s \
    || fail "$guarantee: missing, incomplete or conflicting alerts after the outage (see $OUT/$phase/audit.log)"
  all_running "$job" || fail "$guarantee: the job is not running after the outage"
  # within the clients' outage budget (KafkaIO) the job waits for the broker instead of failing over
  [ "$(failovers "$job")" = 0 ] || fail "$guarantee: the job failed over during the outage: $(curl -sf "$REST/jobs/$job/exceptions" | head -c 600)"
  delay=$(sed -n 's/^audit: longest delay from detection to the topic \([0-9.]*\) s.*/\1/p' "$OUT/$phase/audit.log")
  delays+=("$guarantee ${delay:-?} s")
  log "$guarantee: passed in $(( $(date +%s) - t_start )) s without a failover; longest alert delay ${delay:-?} s"
  stop_job
done

# The producer gives a record for a deleted topic up after the outage budget (2 min), as for a
# broker that is away; a 30 s budget (client properties win over the engine's) keeps this short.
short_budget=(--kafka delivery.timeout.ms=30000 --kafka max.block.ms=30000)
printf '%s\n' "CYB-LINK:ct-f1" "INC-CASCADE:ct-s1" > "$OUT/expected-ct.txt"

delete_under_job() {  # phase: feeds chains that alert Jiangsu, deletes its alert topic, feeds their updates
  local phase="$1"
  log "$phase: job $job running; feeding chains that alert Jiangsu (320000)"
  ./linkage feed --bootstrap "$BOOTSTRAP" --topic-prefix "$phase." --in "$here/cluster-test/phase1" >&2
  audit "$phase" "$OUT/expected-ct.txt" --timeout 90s --idle 3s || fail "$phase: the chains did not alert before the deletion"
  "$here/kafka.sh" tool TopicCommand --bootstrap-server "$BOOTSTRAP" --delete --topic "$phase.alerts.320000" >&2
  deleted=$(date +%s)
  log "$phase: deleted $phase.alerts.320000 under the running job; feeding the updates of both chains"
  ./linkage feed --bootstrap "$BOOTSTRAP" --topic-prefix "$phase." --in "$here/cluster-test/phase2" >&2
}

# 2a. the job keeps failing over until the topic exists again; then what it sent arrives
phase=topic-deleted
topic="$phase.alerts.320000"
start_job "$phase" at-least-once "${short_budget[@]}"
delete_under_job "$phase"
until grep -q "Kafka topic $topic does not exist" "$OUT/$phase/job.log"; do
  [ $(( $(date +%s) - deleted )) -lt 150 ] || fail "no line saying $topic does not exist in the job's log within 150 s ($OUT/$phase/job.log)"
  kill -0 "$job_pid" 2>/dev/null || fail "the job exited: $(tail -3 "$OUT/$phase/job.log")"
  sleep 1
done
shown=$(( $(date +%s) - deleted ))
log "after $shown s the job's log says: $(grep -m1 "Kafka topic $topic does not exist" "$OUT/$phase/job.log")"
! grep "Kafka topic $topic" "$OUT/$phase/job.log" | grep -v "Kafka topic $topic does not exist" || fail "a line on $topic does not say it does not exist"
"$here/kafka.sh" tool TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$topic" --partitions 2 \
  --replication-factor 1 --config message.timestamp.type=LogAppendTime >&2
log "created $topic again; the updates sent since the deletion must reach it"
audit "$phase" "$OUT/expected-ct.txt" --timeout 150s --idle 8s || fail "alerts sent after the deletion did not reach $topic"
python3 - "$OUT/$phase/final.jsonl" <<'PY' || fail "the updates sent after the deletion are missing"
import json, sys
final = {a["alertId"]: a for a in map(json.loads, open(sys.argv[1]))}
def evidence(a): return {e["id"] for e in final[a]["evidence"]}
assert "ct-f3" in evidence("CYB-LINK:ct-f1") and "ct-c4" in evidence("INC-CASCADE:ct-s1"), final
PY
kill -0 "$job_pid" 2>/dev/null || fail "the job exited"
log "$phase: passed after $(failovers "$job") failover(s)"
stop_job

# 2b. with no restarts allowed the job fails, and the command says why in its last line
phase=topic-deleted-no-restart
start_job "$phase" at-least-once "${short_budget[@]}" --set restart-strategy.type=none
delete_under_job "$phase"
code=0; timeout 150 tail --pid="$job_pid" -f /dev/null || fail "$phase: the job still runs 150 s after the deletion"
wait "$job_pid" || code=$?
job_pid=""
last=$(tail -1 "$OUT/$phase/job.log")
log "$phase: the command exited $code: $last"
[ "$code" = 1 ] || fail "$phase: exit code $code, not 1"
[[ "$last" == "linkage: the live job failed: Kafka topic $phase.alerts.320000 does not exist"* ]] || fail "$phase: unclear last line"

log "passed"
echo "deleted alert topic named in the job's log after $shown s (with a 30 s client budget)"
echo "longest alert delay across a ${OUTAGE} s broker outage: ${delays[*]}"
