#!/usr/bin/env bash
# End-to-end test on a real multi-process Flink session cluster (JobManager and two
# TaskManagers, separate JVMs) and a real Kafka broker, all on loopback:
#   1. submit the job jar; feed the demo scenario plus scripted chains; kill -9 a TaskManager
#      mid-stream and start a replacement; check every expected alert arrived and no
#      (alert id, revision, recipient) carries two contents;
#   2. publish a rule pack with ./linkage rules publish (GAS threshold 25 -> 20 %LEL) and check
#      that a 22 %LEL reading then alerts under it; publish an invalid pack and forge one
#      province's acknowledgement on another's topic: both are dead-lettered (RULE, FORBIDDEN),
#      the job stays RUNNING and the published pack stays in force;
#   3. stop with a savepoint, resubmit from it, feed more, and check open chains continue as
#      UPDATEs of the same alert ids, not as new alerts, and the published pack is still in force.
# Prints the recovery time after the TaskManager loss as its last line. Cleans up after itself.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

export LINKAGE_WORK="$root/jobs/cli/target/cluster-test/work"
export FLINK_REST_PORT="${FLINK_REST_PORT:-28081}" FLINK_RPC_PORT="${FLINK_RPC_PORT:-26123}" FLINK_PROM_PORTS="${FLINK_PROM_PORTS:-29250-29260}"
KAFKA_PORT="${KAFKA_PORT:-29092}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REST="http://127.0.0.1:$FLINK_REST_PORT"
OUT="$root/jobs/cli/target/cluster-test"
JAR="$root/jobs/engine/target/yrd-linkage-job.jar"

log() { printf 'cluster-test: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
cleanup() {
  local code=$?
  "$here/flink.sh" stop >/dev/null 2>&1 || true
  "$here/kafka.sh" stop >/dev/null 2>&1 || true
  [ $code -eq 0 ] || { log "logs: $LINKAGE_WORK/flink/log, $LINKAGE_WORK/kafka/logs"; }
  exit $code
}
trap cleanup EXIT INT TERM

rm -rf "$OUT"; mkdir -p "$OUT"
[ -f "$JAR" ] || { log "building the job jar"; mvn -q -B -ntp -Dstyle.color=never -DskipTests install >&2; }
./linkage --version >/dev/null   # builds the command line if needed

job_json() { curl -sf "$REST/jobs/$1"; }
job_state() { job_json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
all_running() {   # job RUNNING, every vertex RUNNING, and (optionally) running again since $2 ms
  job_json "$1" | python3 -c '
import json,sys
j=json.load(sys.stdin); since=int(sys.argv[1])
ok = j["state"]=="RUNNING" and all(v["status"]=="RUNNING" for v in j["vertices"]) and j["timestamps"].get("RUNNING",0) > since
sys.exit(0 if ok else 1)' "${2:-0}"
}
wait_running() {  # job id, since ms, timeout s
  local deadline=$(( $(date +%s) + $3 ))
  until all_running "$1" "$2"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "job $1 not running after $3 s (state $(job_state "$1" 2>/dev/null || echo ?))"
    sleep 0.5
  done
}
submit() {  # extra flink run args...
  # the checkpoint interval comes from the cluster side (-D, as config.yaml or a FlinkDeployment
  # would set it), not from the job's arguments: it must win over the job's built-in 10 s
  "$here/flink.sh" cli run -d -Dexecution.checkpointing.interval=2s "$@" "$JAR" \
    linkage.kafka.bootstrap-servers="$BOOTSTRAP" linkage.kafka.create-topics=true \
    linkage.kafka.starting-offsets=earliest linkage.kafka.group-id=cluster-test linkage.identifier.dev-key=true \
    parallelism.default=2 2>&1 | tee -a "$OUT/submit.log" \
    | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -1
}

log "starting Kafka on $BOOTSTRAP and a Flink session cluster with two TaskManagers"
"$here/kafka.sh" start --port "$KAFKA_PORT" >&2
"$here/flink.sh" start --taskmanagers 2 >&2

job=$(submit); [ -n "$job" ] || fail "submission gave no job id (see $OUT/submit.log)"
wait_running "$job" 0 90
ckconf=$(curl -sf "$REST/jobs/$job/checkpoints/config")
interval=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["interval"])' <<<"$ckconf")
[ "$interval" = 2000 ] || fail "checkpoint interval $interval ms: the cluster's -D setting (2 s) did not win over the job's default"
# the recovery and the savepoint below then go through the changelog state backend (config.yaml)
changelog=$(python3 -c 'import json,sys; c=json.load(sys.stdin); print(c.get("state_changelog_enabled"), c.get("changelog_storage"))' <<<"$ckconf")
[ "$changelog" = "True filesystem" ] || fail "changelog state backend: $changelog, not enabled with filesystem storage as config/flink/local-session.yaml says"
log "job $job running (checkpoint interval ${interval} ms, from the cluster side; changelog state backend); feeding the scenario and the scripted chains"

./linkage feed --bootstrap "$BOOTSTRAP" --scenario --duration 60s --rate 100 --seed 7 --planted "$OUT/planted.txt" > "$OUT/feed1.log" 2>&1 &
feeder=$!
./linkage feed --bootstrap "$BOOTSTRAP" --in "$here/cluster-test/phase1" >&2
sleep 20
kill_ms=$(date +%s%3N)
log "kill -9 of TaskManager 1"
"$here/flink.sh" kill-taskmanager 1 >&2
"$here/flink.sh" start-taskmanager >&2
wait_running "$job" "$kill_ms" 120
recovered_ms=$(date +%s%3N)
recovery=$(python3 -c "print(f'{($recovered_ms - $kill_ms) / 1000:.1f}')")
log "job running again on the replacement after $recovery s"
wait "$feeder" || fail "feeding the scenario failed: $(tail -3 "$OUT/feed1.log")"
cat "$OUT/feed1.log" >&2

printf '%s\n' "CYB-LINK:ct-f1" "INC-CASCADE:ct-s1" >> "$OUT/planted.txt"
log "auditing the alert topics: $(wc -l < "$OUT/planted.txt") expected alert ids"
./linkage audit --bootstrap "$BOOTSTRAP" --expect "$OUT/planted.txt" --out "$OUT/final1.jsonl" --timeout 180s --idle 8s >&2 \
  || fail "phase 1 audit: missing alerts or conflicting revisions"

log "scraping the TaskManagers' Prometheus endpoints for the engine's metrics"
: > "$OUT/prometheus.txt"
IFS=- read -r prom_from prom_to <<< "$FLINK_PROM_PORTS"
for port in $(seq "$prom_from" "$prom_to"); do
  curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -E '^flink_taskmanager_job_task_operator_' >> "$OUT/prometheus.txt" || true
done
grep -q '_stream_eventsIn{' "$OUT/prometheus.txt" || fail "no eventsIn metric on any Prometheus endpoint ($OUT/prometheus.txt)"
grep -q '_rule_msgType_recipient_alertRecords{' "$OUT/prometheus.txt" || fail "no alertRecords metric on any Prometheus endpoint"
log "Prometheus: $(grep -c 'stream_eventsIn{' "$OUT/prometheus.txt") eventsIn and $(grep -c 'alertRecords{' "$OUT/prometheus.txt") alertRecords series"

pack_in_force() { ./linkage status --rest "$REST" --job "$1" 2>/dev/null | sed -n 's/^rule pack \(.*\), in force since.*/\1/p'; }
wait_pack() {  # job id, expected "<id> version <v>", timeout s
  local deadline=$(( $(date +%s) + $3 )) got
  until got="$(pack_in_force "$1")"; [ "$got" = "$2" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "rule pack in force: '$got', expected '$2' within $3 s"
    sleep 1
  done
}
kafka_produce() { "$here/kafka.sh" tool ConsoleProducer --bootstrap-server "$BOOTSTRAP" --topic "$@" >&2; }

log "rule packs: the pack in force, a published change that must take effect, an invalid pack"
wait_pack "$job" "yrd-default version 1" 30
sed -e 's/^version: "1"$/version: "2"/' -e '/^  GAS:$/,/^  [A-Z_]*:$/ s/^    threshold: 25$/    threshold: 20/' \
  config/rules/yrd-default.yaml > "$OUT/gas-20.yaml"
[ "$(diff config/rules/yrd-default.yaml "$OUT/gas-20.yaml" | grep -c '^>')" = 2 ] || fail "could not derive the GAS 20 %LEL pack"
./linkage rules publish "$OUT/gas-20.yaml" --bootstrap "$BOOTSTRAP" >&2 || fail "./linkage rules publish"
wait_pack "$job" "yrd-default version 2" 60
sleep 2   # status reads the rule-update step; the broadcast reaches ingestion a moment later
./linkage feed --bootstrap "$BOOTSTRAP" --in "$here/cluster-test/rules" >&2
echo "INC-CASCADE:ct-r1" > "$OUT/rules-expected.txt"
./linkage audit --bootstrap "$BOOTSTRAP" --expect "$OUT/rules-expected.txt" --timeout 120s --idle 5s >&2 \
  || fail "no alert under the published pack"
"$here/kafka.sh" tool ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic yrd.alerts.330000 --from-beginning \
  --timeout-ms 5000 > "$OUT/alerts-330000.txt" 2>/dev/null || true
python3 - "$OUT/alerts-330000.txt" <<'PY' || fail "the 22 %LEL reading did not alert under pack version 2"
import json, sys
records = [a for a in map(json.loads, open(sys.argv[1])) if a["alertId"] == "INC-CASCADE:ct-r1"]
assert records and all(a["ruleVersion"] == "2" for a in records), records
assert sorted(records[0]["provinces"]) == ["310000", "330000"], records[0]
print("cluster-test: INC-CASCADE:ct-r1 raised under the published pack, ruleVersion", records[0]["ruleVersion"], file=sys.stderr)
PY
cat "$OUT/rules-expected.txt" >> "$OUT/planted.txt"

log "an invalid pack and a forged acknowledgement (Zhejiang's, on Shanghai's topic) must be dead-lettered"
printf 'broken\tid: broken\n' | kafka_produce yrd.rules --reader-property parse.key=true
printf '{"alertId":"INC-CASCADE:ct-r1","province":"330000","ts":%s,"status":"RECEIVED"}\n' "$(date +%s%3N)" | kafka_produce yrd.alert-acks.310000
deadline=$(( $(date +%s) + 60 ))
until grep -q '"stream":"RULE","reason":"SCHEMA"' "$OUT/deadletter.txt" 2>/dev/null \
    && grep -q '"stream":"ACK","reason":"FORBIDDEN"' "$OUT/deadletter.txt"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "no RULE and FORBIDDEN dead letters on yrd.deadletter within 60 s ($OUT/deadletter.txt)"
  "$here/kafka.sh" tool ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic yrd.deadletter --from-beginning \
    --timeout-ms 5000 > "$OUT/deadletter.txt" 2>/dev/null || true
done
grep '"reason":"FORBIDDEN"' "$OUT/deadletter.txt" | grep '"source":"yrd.alert-acks.310000/' >/dev/null \
  || fail "the FORBIDDEN dead letter does not name its topic: $(grep FORBIDDEN "$OUT/deadletter.txt")"
all_running "$job" || fail "the job is not RUNNING after an invalid pack (state $(job_state "$job"))"
wait_pack "$job" "yrd-default version 2" 5
./linkage status --rest "$REST" --job "$job" >&2

# the REST check above reads the JobManager's configuration; the TaskManagers' log on disk shows they write it
[ -n "$(find "$LINKAGE_WORK/flink/changelog" -type f -print -quit 2>/dev/null)" ] ||
  fail "no changelog files under $LINKAGE_WORK/flink/changelog: the TaskManagers did not write the state changelog"
log "stop with savepoint"
"$here/flink.sh" cli stop -p "$LINKAGE_WORK/flink/savepoints" "$job" > "$OUT/stop.log" 2>&1 || fail "stop with savepoint: $(tail -3 "$OUT/stop.log")"
savepoint=$(sed -n 's/.*Savepoint completed\. Path: \(.*\)$/\1/p' "$OUT/stop.log" | tail -1)
[ -n "$savepoint" ] || fail "no savepoint path in $OUT/stop.log"
log "resubmitting from $savepoint"
job2=$(submit -s "$savepoint"); [ -n "$job2" ] || fail "resubmission gave no job id"
wait_running "$job2" 0 90
wait_pack "$job2" "yrd-default version 2" 60   # the published pack survives the savepoint
./linkage feed --bootstrap "$BOOTSTRAP" --in "$here/cluster-test/phase2" >&2
sleep 5
./linkage audit --bootstrap "$BOOTSTRAP" --expect "$OUT/planted.txt" --out "$OUT/final2.jsonl" --timeout 120s --idle 8s >&2 \
  || fail "phase 2 audit: missing alerts or conflicting revisions"
python3 - "$OUT/final2.jsonl" <<'PY' || fail "open chains did not continue after the savepoint"
import json, sys
final = {a["alertId"]: a for a in map(json.loads, open(sys.argv[1]))}
def evidence(a): return {e["id"] for e in final[a]["evidence"]}
link, cascade = final.get("CYB-LINK:ct-f1"), final.get("INC-CASCADE:ct-s1")
assert link and "ct-f3" in evidence("CYB-LINK:ct-f1"), "ct-f3 did not join CYB-LINK:ct-f1"
assert link["msgType"] == "UPDATE" and "340000" in link["recipients"], link
assert cascade and "ct-c4" in evidence("INC-CASCADE:ct-s1") and cascade["msgType"] == "UPDATE", cascade
assert not any(k.startswith(("CYB-LINK:ct-f3", "INC-CLUSTER:ct-c4")) for k in final), "a continued chain became a new alert"
print("cluster-test: open chains continued after the savepoint as UPDATEs:", link["revision"], cascade["revision"], file=sys.stderr)
PY
"$here/flink.sh" cli cancel "$job2" >/dev/null 2>&1 || true
log "passed"
echo "recovery time after losing a TaskManager: $recovery s"
