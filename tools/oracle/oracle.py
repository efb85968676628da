#!/usr/bin/env python3
"""Reference oracle for the YRD linkage engine's default rule pack (rules-v1.md).

    python3 oracle.py --in DIR --out FILE [--cities GEOJSON] [--revisions FILE]

Reads whichever of the four replay files exist in DIR, applies rules-v1.md literally in
ts order and writes the FINAL state of every alert (one JSON line per alert id, sorted by
alertId) in the format of examples/small/expected-final-alerts.jsonl.
Dead-letter counts by reason go to stderr.

Standard library only. Deliberately simple: clarity over speed. See README.md for every
interpretation of the rules that had to be made.
"""
import argparse
import json
import math
import os
import re
import sys
from collections import Counter

MIN = 60 * 1000
HOUR = 60 * MIN
DAY = 24 * HOUR

STREAM_FILES = [
    ("SENSOR", "sensor-readings.jsonl"),
    ("CALL", "emergency-calls.jsonl"),
    ("FRAUD", "fraud-reports.jsonl"),
    ("ACK", "alert-acks.jsonl"),
]
STREAM_RANK = {"SENSOR": 0, "CALL": 1, "FRAUD": 2, "ACK": 3}

# ---------------------------------------------------------------------------------------
# rule pack yrd-default v1 (rules-v1.md)
# ---------------------------------------------------------------------------------------
THRESHOLD = {
    "WATER_LEVEL": 5.0, "RAINFALL": 50.0, "GAS": 25.0, "SMOKE": 10.0,
    "WATER_QUALITY": 40.0, "AIR_QUALITY": 250.0, "STRUCTURAL": 1000.0,
}
RELATED = {
    "WATER_LEVEL": {"FLOOD"}, "RAINFALL": {"FLOOD"},
    "GAS": {"GAS_LEAK", "EXPLOSION", "FIRE"}, "SMOKE": {"FIRE", "EXPLOSION"},
    "WATER_QUALITY": {"POLLUTION"}, "AIR_QUALITY": {"POLLUTION"},
    "STRUCTURAL": {"COLLAPSE", "EXPLOSION"},
}
CASCADE_RADIUS_KM = 15.0
CASCADE_TAIL_MS = 30 * MIN
CASCADE_CALLS = 3
SPREAD_RADIUS_KM = 50.0
SPREAD_OPEN_MS = 6 * HOUR
CLUSTER_EXCLUDED = {"OTHER", "FRAUD", "MISSING_PERSON"}
CLUSTER_RADIUS_KM = 10.0
CLUSTER_OPEN_MS = 20 * MIN
CLUSTER_CALLS = 5
LINK_LIVE_MS = 7 * DAY
LINK_CRITICAL_LOSS = 1000000.0
BURST_GAP_MS = 60 * MIN
BURST_REPORTS = 5
SLA_MS = {"CRITICAL": 5 * MIN, "HIGH": 15 * MIN}
EARTH_R_KM = 6371.0088

# ---------------------------------------------------------------------------------------
# schemas (contracts/*.schema.json, transcribed)
# ---------------------------------------------------------------------------------------
SENSOR_KINDS = set(THRESHOLD)
CALL_CATEGORIES = {"FIRE", "EXPLOSION", "GAS_LEAK", "FLOOD", "COLLAPSE", "POLLUTION",
                   "TRAFFIC_ACCIDENT", "PUBLIC_DISORDER", "VIOLENCE", "FRAUD",
                   "MISSING_PERSON", "OTHER"}
FRAUD_TYPES = {"IMPERSONATION", "INVESTMENT", "ROMANCE", "CUSTOMER_SERVICE", "LOAN",
               "PART_TIME_JOB", "SHOPPING", "OTHER"}
IDENT_TYPES = {"PHONE", "BANK_ACCOUNT", "PAYMENT_ACCOUNT", "URL", "DEVICE", "IM_ACCOUNT"}
ACK_STATUSES = {"RECEIVED", "VERIFYING", "CONFIRMED", "FALSE_ALARM", "RESOLVED"}
RE_CITYCODE = re.compile(r"[0-9]{6}")
RE_PROVINCE = re.compile(r"[0-9]{2}0000")


class Reject(Exception):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _schema(detail):
    raise Reject("SCHEMA", detail)


def _is_int(v):
    # JSON integer literal only (Python's json gives int for those, float for 1.0 / 1e3)
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def _str(o, key, required, min_len=0, max_len=None):
    if key not in o:
        if required:
            _schema("missing " + key)
        return None
    v = o[key]
    if not isinstance(v, str):
        _schema(key + " is not a string")
    if len(v) < min_len:
        _schema(key + " too short")
    if max_len is not None and len(v) > max_len:
        _schema(key + " too long")
    return v


def _int(o, key, minimum=None):
    if key not in o:
        _schema("missing " + key)
    v = o[key]
    if not _is_int(v):
        _schema(key + " is not an integer")
    if minimum is not None and v < minimum:
        _schema(key + " below minimum")
    return v


def _num(o, key, required=True, minimum=None, maximum=None):
    if key not in o:
        if required:
            _schema("missing " + key)
        return None
    v = o[key]
    if not _is_num(v):
        _schema(key + " is not a finite number")
    if minimum is not None and v < minimum:
        _schema(key + " below minimum")
    if maximum is not None and v > maximum:
        _schema(key + " above maximum")
    return float(v)


def _enum(o, key, allowed):
    if key not in o:
        _schema("missing " + key)
    v = o[key]
    if not isinstance(v, str) or v not in allowed:
        _schema(key + " not in enum")
    return v


def _citycode(o):
    v = _str(o, "cityCode", required=False)
    if v is not None and not RE_CITYCODE.fullmatch(v):
        _schema("cityCode pattern")
    return v


def validate_sensor(o):
    e = {"id": _str(o, "id", True, 1, 128)}
    e["sensorId"] = _str(o, "sensorId", True, 1, 128)
    e["kind"] = _enum(o, "kind", SENSOR_KINDS)
    e["value"] = _num(o, "value")
    _str(o, "unit", False, 0, 32)
    e["ts"] = _int(o, "ts", 0)
    e["lat"] = _num(o, "lat", minimum=-90, maximum=90)
    e["lon"] = _num(o, "lon", minimum=-180, maximum=180)
    e["cityCode"] = _citycode(o)
    return e


def validate_call(o):
    e = {"id": _str(o, "id", True, 1, 128)}
    e["ts"] = _int(o, "ts", 0)
    e["lat"] = _num(o, "lat", minimum=-90, maximum=90)
    e["lon"] = _num(o, "lon", minimum=-180, maximum=180)
    e["cityCode"] = _citycode(o)
    e["category"] = _enum(o, "category", CALL_CATEGORIES)
    _str(o, "callerHash", False, 0, 128)
    _str(o, "text", False, 0, 4000)
    return e


def validate_fraud(o):
    e = {"id": _str(o, "id", True, 1, 128)}
    e["ts"] = _int(o, "ts", 0)
    if "cityCode" not in o:
        _schema("missing cityCode")
    e["cityCode"] = _citycode(o)
    e["fraudType"] = _enum(o, "fraudType", FRAUD_TYPES)
    e["amountCny"] = _num(o, "amountCny", minimum=0)
    if "identifiers" not in o:
        _schema("missing identifiers")
    ids = o["identifiers"]
    if not isinstance(ids, list) or not (1 <= len(ids) <= 64):
        _schema("identifiers must be an array of 1..64 items")
    norm = []
    for it in ids:
        if not isinstance(it, dict):
            _schema("identifier is not an object")
        t = _enum(it, "type", IDENT_TYPES)
        v = _str(it, "value", True, 1, 512)
        n = normalise(t, v)
        if n == "":
            _schema("identifier normalises to the empty string")
        norm.append((t, n))
    e["idents"] = norm  # in order, may contain duplicates
    return e


def validate_ack(o):
    e = {"alertId": _str(o, "alertId", True, 1, 256)}
    p = _str(o, "province", True)
    if not RE_PROVINCE.fullmatch(p):
        _schema("province pattern")
    e["province"] = p
    e["ts"] = _int(o, "ts", 0)
    e["status"] = _enum(o, "status", ACK_STATUSES)
    _str(o, "operator", False, 0, 128)
    e["id"] = ""  # acks have no id
    return e


VALIDATORS = {"SENSOR": validate_sensor, "CALL": validate_call,
              "FRAUD": validate_fraud, "ACK": validate_ack}

# ---------------------------------------------------------------------------------------
# normalised identifiers (contracts/README.md)
# ---------------------------------------------------------------------------------------
RE_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")


def normalise(t, v):
    if t in ("PHONE", "BANK_ACCOUNT"):
        d = "".join(ch for ch in v if "0" <= ch <= "9")
        if t == "PHONE" and len(d) == 13 and d.startswith("86"):
            d = d[2:]
        return d
    if t in ("PAYMENT_ACCOUNT", "IM_ACCOUNT", "DEVICE"):
        return v.strip().lower()
    if t == "URL":
        u = v.lower()
        u = RE_SCHEME.sub("", u, count=1)
        if u.startswith("www."):
            u = u[4:]
        if u.endswith("/"):
            u = u[:-1]
        return u
    raise ValueError(t)


def ident_position(r, i):
    """TYPE-k: k is the 1-based position of identifier i among the report's distinct
    normalised identifiers, in the order the report lists them (rules-v1.md, CYB-BURST)."""
    distinct = list(dict.fromkeys(r["idents"]))
    return i[0] + "-" + str(distinct.index(i) + 1)


# ---------------------------------------------------------------------------------------
# geography
# ---------------------------------------------------------------------------------------
def default_cities_path():
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, "..", "..", "config", "region", "yrd-cities.geojson")
    if os.path.exists(p):
        return os.path.normpath(p)
    return None


class Region:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            gj = json.load(f)
        self.cities = []  # (adcode, bbox, polygons); polygon = list of rings; ring = [(lon, lat)]
        for feat in gj["features"]:
            g = feat["geometry"]
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            polys = [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly]
                     for poly in polys]
            xs = [p[0] for poly in polys for p in poly[0]]
            ys = [p[1] for poly in polys for p in poly[0]]
            self.cities.append((feat["properties"]["adcode"],
                                (min(xs), min(ys), max(xs), max(ys)), polys))
        self.cities.sort(key=lambda c: c[0])
        self.adcodes = {c[0] for c in self.cities}
        self.ambiguous = 0
        self._cache = {}

    @staticmethod
    def in_ring(x, y, ring):
        inside = False
        n = len(ring)
        j = n - 1
        for i in range(n):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y):
                xc = xi + (y - yi) * (xj - xi) / (yj - yi)
                if x < xc:
                    inside = not inside
            j = i
        return inside

    def in_polygon(self, x, y, poly):
        if not self.in_ring(x, y, poly[0]):
            return False
        return not any(self.in_ring(x, y, hole) for hole in poly[1:])

    def cities_at(self, lat, lon):
        """All cities whose polygon contains the point (normally 0 or 1)."""
        out = []
        for code, (x0, y0, x1, y1), polys in self.cities:
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                if any(self.in_polygon(lon, lat, poly) for poly in polys):
                    out.append(code)
        return out

    def locate(self, lat, lon):
        k = (lat, lon)
        if k not in self._cache:
            hits = self.cities_at(lat, lon)
            if len(hits) > 1:
                self.ambiguous += 1
            self._cache[k] = hits[0] if hits else None  # smallest adcode wins
        return self._cache[k]


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R_KM * math.asin(math.sqrt(a))


def dist(a, b):
    return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])


# ---------------------------------------------------------------------------------------
# reading the replay directory
# ---------------------------------------------------------------------------------------
def _reject_constant(name):
    raise ValueError("non-standard JSON constant " + name)


def read_events(indir, region, stats):
    """Returns the valid, placed, de-duplicated events; counts dead letters in stats."""
    events = []
    seen = {}  # (stream, id) -> ts of the first copy
    for stream, fname in STREAM_FILES:
        path = os.path.join(indir, fname)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # final newline terminates the last line
        max_ts_in_file = None
        for raw in lines:
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                text = raw.decode("utf-8")
                obj = json.loads(text, parse_constant=_reject_constant)
            except (UnicodeDecodeError, ValueError):
                stats["dead:MALFORMED_JSON"] += 1
                continue
            try:
                if not isinstance(obj, dict):
                    _schema("not a JSON object")
                e = VALIDATORS[stream](obj)
                if stream != "ACK":
                    cc = e.get("cityCode")
                    if cc is not None:
                        city = cc[:4] + "00"
                        if city not in region.adcodes:
                            raise Reject("UNKNOWN_CITY", cc)
                    else:
                        city = region.locate(e["lat"], e["lon"])
                        if city is None:
                            raise Reject("OUT_OF_REGION", "%r,%r" % (e["lat"], e["lon"]))
                    e["city"] = city
                    e["prov"] = city[:2] + "0000"
            except Reject as r:
                stats["dead:" + r.reason] += 1
                continue
            e["stream"] = stream
            if max_ts_in_file is not None and e["ts"] < max_ts_in_file - 5 * MIN:
                stats["warn:behind-file-max-by-more-than-5min"] += 1
            max_ts_in_file = e["ts"] if max_ts_in_file is None else max(max_ts_in_file, e["ts"])
            if stream != "ACK":
                key = (stream, e["id"])
                if key in seen:
                    stats["repeated"] += 1
                    if abs(e["ts"] - seen[key]) > DAY:
                        stats["warn:repeat-more-than-24h-apart"] += 1
                    continue
                seen[key] = e["ts"]
            events.append(e)
    events.sort(key=lambda e: (e["ts"], STREAM_RANK[e["stream"]], e["id"],
                               e.get("alertId", ""), e.get("province", "")))
    return events


# ---------------------------------------------------------------------------------------
# alerts
# ---------------------------------------------------------------------------------------
class Alert:
    def __init__(self, rule_id, kind, anchor_suffix):
        self.alert_id = rule_id + ":" + anchor_suffix
        self.rule_id = rule_id
        self.kind = kind
        self.fired = False
        self.revisions = 0
        self.severity = None
        self.evidence = []        # events of the last revision
        self.provinces = []
        self.recipients = set()   # every recipient ever sent to
        self.first_record = {}    # province -> (detectedTs of that revision, severity)
        self.cancelled = False
        self.cancel_ts = None
        self.references = []

    def publish(self, evidence, severity, log):
        """ALERT (first time) or UPDATE: full evidence, sent to every province in it."""
        assert not self.cancelled
        msg = "UPDATE" if self.fired else "ALERT"
        self.fired = True
        self.revisions += 1
        self.evidence = list(evidence)
        self.severity = severity
        self.provinces = sorted({e["prov"] for e in evidence})
        detected = max(e["ts"] for e in evidence)
        for p in self.provinces:
            if p not in self.first_record:
                self.first_record[p] = (detected, severity)
            self.recipients.add(p)
        if log is not None:
            log.append({"alertId": self.alert_id, "revision": self.revisions, "msgType": msg,
                        "severity": severity, "provinces": self.provinces,
                        "detectedTs": detected, "evidence": len(self.evidence)})

    def cancel(self, ts, references, log):
        assert self.fired and not self.cancelled
        self.revisions += 1
        self.cancelled = True
        self.cancel_ts = ts
        self.references = list(references)
        if log is not None:
            log.append({"alertId": self.alert_id, "revision": self.revisions,
                        "msgType": "CANCEL", "severity": self.severity,
                        "recipients": sorted(self.recipients), "detectedTs": ts,
                        "references": self.references})


def province_count(events):
    return len({e["prov"] for e in events})


class Engine:
    def __init__(self, log=None):
        self.alerts = {}
        self.log = log
        # INC-CASCADE: sensorId -> open-or-last incident
        self.incidents = {}
        # INC-SPREAD: kind -> list of episodes
        self.episodes = {k: [] for k in THRESHOLD}
        # INC-CLUSTER: category -> list of clusters
        self.clusters = {}
        # CYB-LINK
        self.ident_last_ts = {}   # (type, norm) -> ts of the last report naming it
        self.ident_case = {}      # (type, norm) -> case
        # CYB-BURST: (type, norm) -> burst
        self.bursts = {}
        self.acks = {}            # (alertId, province) -> earliest ack ts

    def new_alert(self, rule_id, kind, suffix):
        a = Alert(rule_id, kind, suffix)
        assert a.alert_id not in self.alerts, a.alert_id
        self.alerts[a.alert_id] = a
        return a

    # ---- dispatch ----
    def process(self, e):
        s = e["stream"]
        if s == "SENSOR":
            if e["value"] >= THRESHOLD[e["kind"]]:
                self.cascade_breach(e)
                self.spread_breach(e)
        elif s == "CALL":
            self.cascade_call(e)
            self.cluster_call(e)
        elif s == "FRAUD":
            self.link_report(e)
            self.burst_report(e)
        elif s == "ACK":
            k = (e["alertId"], e["province"])
            self.acks[k] = min(self.acks.get(k, e["ts"]), e["ts"])

    # ---- INC-CASCADE ----
    def cascade_breach(self, b):
        inc = self.incidents.get(b["sensorId"])
        if inc is not None and b["ts"] <= inc["last_breach"] + CASCADE_TAIL_MS:
            inc["breaches"].append(b)
            inc["last_breach"] = b["ts"]
            if inc["alert"].fired:
                self.cascade_publish(inc)
        else:
            self.incidents[b["sensorId"]] = {
                "anchor": b, "t0": b["ts"], "last_breach": b["ts"], "breaches": [b],
                "calls": [], "alert": Alert("INC-CASCADE", "INCIDENT_CHAIN", b["id"]),
            }

    def cascade_call(self, c):
        for sid in sorted(self.incidents):
            inc = self.incidents[sid]
            a = inc["anchor"]
            if (c["category"] in RELATED[a["kind"]]
                    and inc["t0"] <= c["ts"] <= inc["last_breach"] + CASCADE_TAIL_MS
                    and dist(c, a) <= CASCADE_RADIUS_KM):
                inc["calls"].append(c)
                if inc["alert"].fired or len(inc["calls"]) >= CASCADE_CALLS:
                    self.cascade_publish(inc)

    def cascade_publish(self, inc):
        al = inc["alert"]
        if not al.fired:
            assert al.alert_id not in self.alerts
            self.alerts[al.alert_id] = al
        ev = inc["breaches"] + inc["calls"]
        al.publish(ev, "CRITICAL" if province_count(ev) >= 2 else "HIGH", self.log)

    # ---- INC-SPREAD ----
    def spread_breach(self, b):
        joined = False
        eps = self.episodes[b["kind"]]
        eps[:] = [ep for ep in eps if b["ts"] <= ep["anchor"]["ts"] + SPREAD_OPEN_MS]
        for ep in eps:
            if dist(b, ep["anchor"]) <= SPREAD_RADIUS_KM:
                joined = True
                ep["breaches"].append(b)
                al = ep["alert"]
                if al.fired or province_count(ep["breaches"]) >= 2:
                    if not al.fired:
                        self.alerts[al.alert_id] = al
                    al.publish(ep["breaches"], "CRITICAL", self.log)
        if not joined:
            eps.append({"anchor": b, "breaches": [b],
                        "alert": Alert("INC-SPREAD", "INCIDENT_CHAIN", b["id"])})

    # ---- INC-CLUSTER ----
    def cluster_call(self, c):
        if c["category"] in CLUSTER_EXCLUDED:
            return
        cls = self.clusters.setdefault(c["category"], [])
        cls[:] = [cl for cl in cls if c["ts"] <= cl["anchor"]["ts"] + CLUSTER_OPEN_MS]
        joined = False
        for cl in cls:
            if dist(c, cl["anchor"]) <= CLUSTER_RADIUS_KM:
                joined = True
                cl["calls"].append(c)
                al = cl["alert"]
                if al.fired or (len(cl["calls"]) >= CLUSTER_CALLS
                                and province_count(cl["calls"]) >= 2):
                    if not al.fired:
                        self.alerts[al.alert_id] = al
                    al.publish(cl["calls"], "HIGH", self.log)
        if not joined:
            cls.append({"anchor": c, "calls": [c],
                        "alert": Alert("INC-CLUSTER", "INCIDENT_CHAIN", c["id"])})

    # ---- CYB-LINK ----
    def link_report(self, r):
        t = r["ts"]
        idents = sorted(set(r["idents"]))
        live_cases = []
        for i in idents:
            if i in self.ident_last_ts and self.ident_last_ts[i] > t - LINK_LIVE_MS:
                case = self.ident_case[i]
                if all(case is not c for c in live_cases):
                    live_cases.append(case)
        if not live_cases:
            case = {"anchor": r, "reports": [], "idents": set(),
                    "alert": Alert("CYB-LINK", "CYBER_CHAIN", r["id"])}
            absorbed = []
        else:
            live_cases.sort(key=lambda c: (c["anchor"]["ts"], c["anchor"]["id"]))
            case, absorbed = live_cases[0], live_cases[1:]
        survivor_id = case["alert"].alert_id
        for other in absorbed:
            case["reports"].extend(other["reports"])
            case["idents"] |= other["idents"]
            for i in other["idents"]:
                if self.ident_case.get(i) is other:
                    self.ident_case[i] = case
            if other["alert"].fired:
                other["alert"].cancel(t, [survivor_id], self.log)
        case["reports"].append(r)
        for i in idents:
            case["idents"].add(i)
            self.ident_case[i] = case
            self.ident_last_ts[i] = t
        al = case["alert"]
        if al.fired or province_count(case["reports"]) >= 2:
            if not al.fired:
                self.alerts[al.alert_id] = al
            loss = math.fsum(x["amountCny"] for x in case["reports"])
            al.publish(case["reports"], "CRITICAL" if loss >= LINK_CRITICAL_LOSS else "HIGH",
                       self.log)

    # ---- CYB-BURST ----
    def burst_report(self, r):
        t = r["ts"]
        for i in sorted(set(r["idents"])):
            b = self.bursts.get(i)
            if b is not None and t <= b["last_ts"] + BURST_GAP_MS:
                b["reports"].append(r)
            else:
                b = {"reports": [r], "alert": Alert(
                    "CYB-BURST", "CYBER_BURST", r["id"] + ":" + ident_position(r, i))}
                self.bursts[i] = b
            b["last_ts"] = t
            al = b["alert"]
            if al.fired or len(b["reports"]) >= BURST_REPORTS:
                if not al.fired:
                    self.alerts[al.alert_id] = al
                al.publish(b["reports"], "HIGH", self.log)

    # ---- ESC-ACK (timer-driven; evaluated once all events are in) ----
    def escalate(self):
        escs = []
        for a in sorted(self.alerts.values(), key=lambda a: a.alert_id):
            for p in sorted(a.first_record):
                d, sev = a.first_record[p]
                deadline = d + SLA_MS[sev]
                ack = self.acks.get((a.alert_id, p))
                if ack is not None and ack <= deadline:
                    continue
                if a.cancelled and a.cancel_ts <= deadline:
                    continue
                esc = Alert("ESC-ACK", "ESCALATION", a.alert_id + ":" + p)
                esc.fired = True
                esc.severity = a.severity          # follows the escalated alert's updates
                esc.evidence = a.evidence
                esc.provinces = a.provinces
                esc.recipients = {p, "YRD"}
                esc.references = [a.alert_id]
                esc.deadline = deadline
                escs.append(esc)
                if self.log is not None:
                    self.log.append({"alertId": esc.alert_id, "revision": 1,
                                     "msgType": "ALERT", "severity": sev,
                                     "detectedTs": deadline, "references": esc.references})
        for esc in escs:
            assert esc.alert_id not in self.alerts
            self.alerts[esc.alert_id] = esc


def final_line(a):
    ev = sorted({(e["stream"], e["id"]) for e in a.evidence})
    return json.dumps({
        "alertId": a.alert_id, "ruleId": a.rule_id, "kind": a.kind, "severity": a.severity,
        "recipients": sorted(a.recipients), "provinces": list(a.provinces),
        "cancelled": a.cancelled, "references": list(a.references),
        "evidence": [{"stream": s, "id": i} for s, i in ev],
    }, ensure_ascii=False)


def run(indir, cities_path, revisions_out=None):
    region = Region(cities_path)
    stats = Counter()
    events = read_events(indir, region, stats)
    log = [] if revisions_out else None
    eng = Engine(log)
    for e in events:
        eng.process(e)
    eng.escalate()
    if revisions_out:
        with open(revisions_out, "w", encoding="utf-8") as f:
            for rec in log:
                f.write(json.dumps(rec) + "\n")
    if region.ambiguous:
        stats["warn:point-in-several-cities"] = region.ambiguous
    stats["events"] = len(events)
    lines = [final_line(eng.alerts[k]) for k in sorted(eng.alerts)]
    return lines, stats, eng


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="indir", required=True)
    ap.add_argument("--out", required=True, help="final alert states (JSON Lines)")
    ap.add_argument("--cities", default=default_cities_path())
    ap.add_argument("--revisions", help="optional: also write the revision log here")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.indir):
        print("oracle: not a directory: " + args.indir, file=sys.stderr)
        return 2
    if not args.cities or not os.path.exists(args.cities):
        print("oracle: cannot find yrd-cities.geojson (use --cities)", file=sys.stderr)
        return 2
    lines, stats, _ = run(args.indir, args.cities, args.revisions)
    with open(args.out, "w", encoding="utf-8") as f:
        for l in lines:
            f.write(l + "\n")
    dead = {k[5:]: v for k, v in stats.items() if k.startswith("dead:")}
    print("dead letters: %d %s" % (sum(dead.values()), json.dumps(dict(sorted(dead.items())))),
          file=sys.stderr)
    print("events: %d, repeated (ignored): %d, alerts: %d"
          % (stats["events"], stats["repeated"], len(lines)), file=sys.stderr)
    for k in sorted(stats):
        if k.startswith("warn:"):
            print("WARNING %s: %d" % (k[5:], stats[k]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
