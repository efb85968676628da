#!/usr/bin/env python3
"""Checks grafana-dashboard.json against the metric names Flink really exports.

    python3 deploy/monitoring/check-dashboard.py                       # offline checks
    python3 deploy/monitoring/check-dashboard.py --prometheus http://127.0.0.1:9090

Offline: the JSON parses, every panel has a unique id and a datasource of ${DS_PROMETHEUS}, and
every metric name in a PromQL expression (panels, variables, annotations) is either an engine
metric found in sample-metrics.txt or one of the Flink built-ins below (all seen in a scrape of a
Flink 2.2.1 session cluster running the job). With --prometheus, every expression (dashboard
variables replaced by .*, $__rate_interval and $__interval by 1m, $__range by 1h) is also run as an instant query
against that Prometheus: a parse error fails the check, an empty result is reported.
Python 3 standard library only.
"""
import argparse
import json
import pathlib
import re
import sys
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent

# Flink built-ins the dashboard uses, confirmed in a scrape of Flink 2.2.1 (README.md, "Verified").
BUILTINS = {
    "flink_jobmanager_job_uptime",
    "flink_jobmanager_job_numRestarts",
    "flink_jobmanager_job_lastCheckpointDuration",
    "flink_jobmanager_job_lastCheckpointSize",
    "flink_jobmanager_job_lastCheckpointFullSize",
    "flink_jobmanager_job_numberOfCompletedCheckpoints",
    "flink_jobmanager_job_numberOfFailedCheckpoints",
    "flink_jobmanager_Status_JVM_Memory_Heap_Used",
    "flink_jobmanager_Status_JVM_Memory_Heap_Max",
    "flink_taskmanager_Status_JVM_Memory_Heap_Used",
    "flink_taskmanager_Status_JVM_Memory_Heap_Max",
    "flink_taskmanager_job_task_busyTimeMsPerSecond",
    "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
    "flink_taskmanager_job_task_operator_numRecordsInPerSecond",
    "flink_taskmanager_job_task_operator_pendingRecords",
    # RocksDB native metrics, exported only when enabled (state.backend.rocksdb.metrics.*, with
    # column-family-as-variable=true; README.md): confirmed in a second run with them enabled.
    "flink_taskmanager_job_task_operator_column_family_rocksdb_estimate_num_keys",
    "flink_taskmanager_job_task_operator_column_family_rocksdb_total_sst_files_size",
    "flink_taskmanager_job_task_operator_column_family_rocksdb_block_cache_usage",
}

NAME = re.compile(r"\bflink_[A-Za-z0-9_]+")


def sample_names(path):
    names = set()
    for line in path.read_text().splitlines():
        m = re.match(r"^(flink_[A-Za-z0-9_]+)", line)
        if m:
            names.add(m.group(1))
            # a summary's _count/_sum samples also name the summary itself
            names.add(re.sub(r"_(count|sum)$", "", m.group(1)))
    return names


def expressions(dash):
    """(where, expr) of every PromQL expression in the dashboard."""
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                out.append((f"panel {p.get('id')} '{p.get('title')}' {t.get('refId')}", t["expr"]))
            walk(p.get("panels", []))

    walk(dash["panels"])
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.match(r"label_values\((.*),\s*\w+\)$", q)
            out.append((f"variable {v['name']}", m.group(1) if m else q))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f"annotation {a['name']}", a["expr"]))
    return out


def concrete(expr):
    return (expr.replace("$__rate_interval", "1m").replace("$__range", "1h")
            .replace("$__interval_ms", "60000").replace("$__interval", "1m")
            .replace("$job_name", ".*").replace("$province", ".*"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", default=HERE / "grafana-dashboard.json", type=pathlib.Path)
    ap.add_argument("--sample", default=HERE / "sample-metrics.txt", type=pathlib.Path)
    ap.add_argument("--prometheus", help="base URL of a Prometheus that scrapes the cluster")
    args = ap.parse_args()

    errors = []
    dash = json.loads(args.dashboard.read_text())
    known = sample_names(args.sample) | BUILTINS
    ids = []

    def walk(panels):
        for p in panels:
            ids.append(p["id"])
            if p["type"] != "row" and p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
                errors.append(f"panel {p['id']}: datasource is not ${{DS_PROMETHEUS}}")
            walk(p.get("panels", []))

    walk(dash["panels"])
    if len(ids) != len(set(ids)):
        errors.append("duplicate panel ids")
    if dash.get("schemaVersion", 0) < 38:
        errors.append("schemaVersion < 38")

    exprs = expressions(dash)
    for where, expr in exprs:
        for name in NAME.findall(expr):
            if name not in known:
                errors.append(f"{where}: unknown metric {name}")

    empty = []
    if args.prometheus:
        for where, expr in exprs:
            url = args.prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": concrete(expr)})
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    res = json.load(r)
            except urllib.error.HTTPError as e:
                res = json.load(e)
            if res.get("status") != "success":
                errors.append(f"{where}: {res.get('errorType')}: {res.get('error')}")
            elif not res["data"]["result"]:
                empty.append(where)

    print(f"{len(exprs)} expressions, {len(ids)} panels")
    for w in empty:
        print(f"no data (yet): {w}")
    for e in errors:
        print(f"ERROR {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
