#!/usr/bin/env python3
"""Reduce an alerts.jsonl (every revision, one record per recipient) to the final state of each
alert id, in the form of examples/*/expected-final-alerts.jsonl, and optionally diff it
against an expected file. Usage: final-alerts.py ALERTS.jsonl [EXPECTED.jsonl]"""
import json
import sys


def final_states(path):
    alerts = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        a = alerts.setdefault(r["alertId"], {"recipients": set(), "last": None})
        a["recipients"].add(r["recipient"])
        if a["last"] is None or r["revision"] >= a["last"]["revision"]:
            a["last"] = r
    out = {}
    for alert_id, a in alerts.items():
        r = a["last"]
        out[alert_id] = {
            "alertId": alert_id, "ruleId": r["ruleId"], "kind": r["kind"], "severity": r["severity"],
            "recipients": sorted(a["recipients"]), "provinces": r["provinces"],
            "cancelled": r["msgType"] == "CANCEL", "references": r.get("references", []),
            "evidence": sorted(({"stream": e["stream"], "id": e["id"]} for e in r["evidence"]),
                               key=lambda e: (e["stream"], e["id"])),
        }
    return out


def main():
    got = final_states(sys.argv[1])
    if len(sys.argv) < 3:
        for k in sorted(got):
            print(json.dumps(got[k], ensure_ascii=False))
        return 0
    want = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        o = json.loads(line)
        want[o["alertId"]] = o
    bad = 0
    for k in sorted(set(got) | set(want)):
        if k not in got:
            print("MISSING ", k); bad += 1
        elif k not in want:
            print("EXTRA   ", k, json.dumps(got[k])[:300]); bad += 1
        else:
            g, w = got[k], want[k]
            diffs = [f for f in w if g.get(f) != w[f]]
            if diffs:
                bad += 1
                print("DIFF    ", k, diffs)
                for f in diffs:
                    print("   want", f, json.dumps(w[f])[:400])
                    print("   got ", f, json.dumps(g.get(f))[:400])
    print(f"{len(want)} expected, {len(got)} got, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
