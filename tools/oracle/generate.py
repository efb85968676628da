#!/usr/bin/env python3
"""Case generator for the YRD linkage engine.

    python3 generate.py --seed N --out DIR [--days D] [--scale S] [--sets K]

Writes a replay input directory (sensor-readings.jsonl, emergency-calls.jsonl,
fraud-reports.jsonl, alert-acks.jsonl): realistic background traffic across the 41 cities
plus K planted "sets" of scenarios for every rule (edge cases and near-miss decoys, see
README.md), a few hostile lines, one repeated record and mild out-of-order delivery.
Then runs the oracle and writes DIR/expected-final-alerts.jsonl, and DIR/planted.json
(what was planted and what the generator predicted for it). The generator's own
predictions are checked against the oracle; any disagreement is an error (exit 1).

Standard library only; deterministic for a given seed and arguments.
"""
import argparse
import csv
import hashlib
import json
import math
import os
import random
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

MIN = oracle.MIN
HOUR = oracle.HOUR
DAY = oracle.DAY
T0 = 1785542400000  # 2026-08-01T00:00:00Z
PROVINCES = ["310000", "320000", "330000", "340000"]
STREAM_FILE = dict(oracle.STREAM_FILES)
UNIT = {"WATER_LEVEL": "m", "RAINFALL": "mm/h", "GAS": "%LEL", "SMOKE": "%obs/m",
        "WATER_QUALITY": "mg/L", "AIR_QUALITY": "ug/m3", "STRUCTURAL": "ue"}
KIND_ABBR = {"WATER_LEVEL": "WAT", "RAINFALL": "RAI", "GAS": "GAS", "SMOKE": "SMO",
             "WATER_QUALITY": "WQ", "AIR_QUALITY": "AIR", "STRUCTURAL": "STR"}
CALL_TEXT = {
    "FIRE": "报警人称附近楼房起火，有浓烟", "EXPLOSION": "报警人听到巨大爆炸声",
    "GAS_LEAK": "报警人闻到强烈燃气味", "FLOOD": "道路积水严重，车辆被困",
    "COLLAPSE": "报警人称建筑物部分坍塌", "POLLUTION": "河道出现异味和死鱼",
    "TRAFFIC_ACCIDENT": "两车相撞，有人受伤", "PUBLIC_DISORDER": "多人聚集发生争执",
    "VIOLENCE": "报警人称遭到殴打", "FRAUD": "报警人称被冒充客服骗取钱款",
    "MISSING_PERSON": "家中老人走失", "OTHER": "其他求助",
}
BG_CALL_WEIGHTS = [("OTHER", 27), ("TRAFFIC_ACCIDENT", 17), ("PUBLIC_DISORDER", 12),
                   ("FRAUD", 10), ("VIOLENCE", 8), ("POLLUTION", 6), ("FIRE", 6),
                   ("FLOOD", 5), ("GAS_LEAK", 3), ("EXPLOSION", 2), ("MISSING_PERSON", 2),
                   ("COLLAPSE", 2)]
FRAUD_TYPES = sorted(oracle.FRAUD_TYPES)


class Retry(Exception):
    pass


class GenError(Exception):
    pass


def data_path(name):
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, "..", "..", "config", "region", name)
    if os.path.exists(p):
        return os.path.normpath(p)
    raise GenError("cannot find " + name)


def dest(p, bearing_deg, km):
    """Point at great-circle distance km and bearing from p=(lat, lon), rounded to 1e-6 deg."""
    R = oracle.EARTH_R_KM
    d = km / R
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(p[0]), math.radians(p[1])
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return (round(math.degrees(p2), 6), round(math.degrees(l2), 6))


def km(p, q):
    return oracle.haversine_km(p[0], p[1], q[0], q[1])


def prov_of(city):
    return city[:2] + "0000"


# ---------------------------------------------------------------------------------------
# geography helpers (same point-in-polygon code as the oracle)
# ---------------------------------------------------------------------------------------
class Geo:
    MARGIN_KM = 1.5  # "clearly inside": the point and 8 points 1.5 km around it, same city

    def __init__(self, rng):
        self.rng = rng
        self.region = oracle.Region(data_path("yrd-cities.geojson"))
        self.bbox = {c[0]: c[1] for c in self.region.cities}
        self._cache = {}
        self.counties = {}
        with open(data_path("yrd-divisions.csv"), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                code = row["adcode"]
                city = code[:4] + "00"
                if city in self.region.adcodes and row["level"] in ("city", "county"):
                    self.counties.setdefault(city, []).append(code)
        for c in self.region.adcodes:
            self.counties.setdefault(c, [c])
        # cross-province neighbours and vertices on their shared border
        self.border = []  # (cityA, cityB, [(lat, lon) on the shared border])
        verts = {}
        for code, _bb, polys in self.region.cities:
            verts[code] = [(y, x) for poly in polys for ring in poly for (x, y) in ring]
        with open(data_path("yrd-adjacency.csv"), encoding="utf-8") as f:
            pairs = [(r["city_a_adcode"], r["city_b_adcode"]) for r in csv.DictReader(f)
                     if r["cross_province"] == "true" and float(r["shared_border_km"]) >= 20]
        for a, b in sorted(pairs):
            grid = {}
            for v in verts[b]:
                grid.setdefault((round(v[0], 2), round(v[1], 2)), []).append(v)
            shared = []
            for v in verts[a]:
                k0, k1 = round(v[0], 2), round(v[1], 2)
                near = any(km(v, w) < 0.3
                           for dy in (-0.01, 0, 0.01) for dx in (-0.01, 0, 0.01)
                           for w in grid.get((round(k0 + dy, 2), round(k1 + dx, 2)), []))
                if near:
                    shared.append(v)
            if len(shared) >= 5:
                self.border.append((a, b, shared))

    def cities_at(self, p):
        if p not in self._cache:
            self._cache[p] = self.region.cities_at(p[0], p[1])
        return self._cache[p]

    def clear_city(self, p, margin=None):
        margin = self.MARGIN_KM if margin is None else margin
        hits = self.cities_at(p)
        if len(hits) != 1:
            return None
        for k in range(8):
            if self.cities_at(dest(p, 45 * k, margin)) != hits:
                return None
        return hits[0]

    def random_in_city(self, city, margin=None, tries=300):
        """A random point clearly inside city, or None."""
        x0, y0, x1, y1 = self.bbox[city]
        for _ in range(tries):
            p = (round(self.rng.uniform(y0, y1), 6), round(self.rng.uniform(x0, x1), 6))
            if self.clear_city(p, margin) == city:
                return p
        return None

    def random_city(self, prov=None):
        cs = sorted(c for c in self.region.adcodes if prov is None or prov_of(c) == prov)
        return self.rng.choice(cs)

    def find(self, center, rmin, rmax, prov=None, city=None, not_prov=None, near=(),
             far=(), tries=400):
        """A clearly-inside point at distance [rmin, rmax] km of center, with constraints."""
        for _ in range(tries):
            p = dest(center, self.rng.uniform(0, 360), self.rng.uniform(rmin, rmax))
            c = self.clear_city(p)
            if c is None:
                continue
            if prov is not None and prov_of(c) != prov:
                continue
            if city is not None and c != city:
                continue
            if not_prov is not None and prov_of(c) == not_prov:
                continue
            if any(km(p, q) > d for q, d in near) or any(km(p, q) < d for q, d in far):
                continue
            return p, c
        raise Retry("no point at %.1f-%.1f km" % (rmin, rmax))

    def border_site(self):
        """(centre on a cross-province border, province A, province B)."""
        a, b, shared = self.rng.choice(self.border)
        if self.rng.random() < 0.5:
            a, b = b, a
        v = self.rng.choice(shared)
        return (round(v[0], 6), round(v[1], 6)), prov_of(a), prov_of(b)

    def inland_site(self):
        """A point at least 12 km inside one city (so nearby points stay in its province)."""
        city = self.random_city()
        p = self.random_in_city(city, margin=12.0, tries=100)
        if p is None:
            raise Retry("no inland site in " + city)
        return p, prov_of(city)


# ---------------------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------------------
class Ev:
    """One generated input record plus what the generator knows about it."""
    __slots__ = ("stream", "id", "ts", "rec", "prov", "city", "p", "kind", "cat",
                 "breach", "family")

    def __init__(self, stream, rec, city, p=None, kind=None, cat=None, breach=False):
        self.stream = stream
        self.rec = rec
        self.id = rec.get("id", "")
        self.ts = rec["ts"]
        self.city = city
        self.prov = prov_of(city) if city else None
        self.p = p
        self.kind = kind
        self.cat = cat
        self.breach = breach
        self.family = None


def conflicts(a, b):
    """Could planted events a and b of different families influence each other's rules?"""
    if a.p is None or b.p is None:
        return False
    if a.stream == "SENSOR" and b.stream == "SENSOR":
        return (a.breach and b.breach and a.kind == b.kind and abs(a.ts - b.ts) <= 7 * HOUR
                and km(a.p, b.p) <= 60)
    if a.stream == "SENSOR":
        a, b = b, a
    if a.stream == "CALL" and b.stream == "SENSOR":
        return (b.breach and a.cat in oracle.RELATED[b.kind]
                and -HOUR <= a.ts - b.ts <= 3 * HOUR and km(a.p, b.p) <= 20)
    if a.stream == "CALL" and b.stream == "CALL":
        return (a.cat == b.cat and a.cat not in oracle.CLUSTER_EXCLUDED
                and abs(a.ts - b.ts) <= 25 * MIN and km(a.p, b.p) <= 12)
    return False


class Builder:
    def __init__(self, seed, days, scale, sets):
        self.seed = seed
        self.days = days
        self.scale = scale
        self.sets = sets
        self.rng = random.Random(seed)
        self.geo = Geo(self.rng)
        self.prefix = "g%d" % seed
        self.counters = {"SENSOR": 0, "CALL": 0, "FRAUD": 0}
        self.sensor_n = 0
        self.planted = []          # committed planted Ev
        self.background = []       # background Ev
        self.acks = []             # Ev of stream ACK (planted by hand)
        self.hand_ack_pairs = set()
        self.expect = {}           # alertId -> expectation dict (absent: {"absent": True})
        self.families = []         # manifest
        self.used_values = set()
        self.repeat_of = None      # Ev whose line is repeated
        self.end = T0 + int(days * DAY)

    # ---- ids and values ----
    def next_id(self, stream):
        self.counters[stream] += 1
        letter = {"SENSOR": "s", "CALL": "c", "FRAUD": "f"}[stream]
        return "%s-%s-%07d" % (letter, self.prefix, self.counters[stream])

    def new_sensor(self, kind, p, city, family_tag):
        self.sensor_n += 1
        return {"sensorId": "%s-%s-%s-%04d" % (family_tag, KIND_ABBR[kind], self.prefix,
                                                self.sensor_n),
                "kind": kind, "p": p, "city": city,
                "cc": self.rng.choice([0.0, 0.7, 1.0])}

    def citycode(self, city):
        return self.rng.choice(self.geo.counties[city])

    def unique(self, make):
        for _ in range(1000):
            v = make()
            if v not in self.used_values:
                self.used_values.add(v)
                return v
        raise GenError("value space exhausted")

    def phone(self):
        return self.unique(lambda: self.rng.choice(
            ["139", "138", "137", "150", "151", "158", "186", "188", "177", "199", "166"])
            + "".join(self.rng.choice("0123456789") for _ in range(8)))

    def bank(self):
        return self.unique(lambda: self.rng.choice(["6222", "6228", "6217", "6230", "6214"])
                           + "".join(self.rng.choice("0123456789") for _ in range(15)))

    def payment(self):
        return self.unique(lambda: self.rng.choice(["alipay_", "wxpay_", "pay_"])
                           + "".join(self.rng.choice("0123456789") for _ in range(10)))

    def im(self):
        return self.unique(lambda: "wxid_" + "".join(
            self.rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(12)))

    def device(self):
        return self.unique(lambda: "IMEI" + "".join(
            self.rng.choice("0123456789") for _ in range(15)))

    def url(self):
        return self.unique(lambda: self.rng.choice(["invest", "loan", "shop", "kefu", "job"])
                           + "-" + "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz")
                                           for _ in range(7))
                           + self.rng.choice([".cn", ".com", ".top", ".xyz"]))

    def random_ident(self):
        t = self.rng.choice(["PHONE", "PHONE", "BANK_ACCOUNT", "BANK_ACCOUNT",
                             "PAYMENT_ACCOUNT", "URL", "IM_ACCOUNT", "DEVICE"])
        v = {"PHONE": self.phone, "BANK_ACCOUNT": self.bank, "PAYMENT_ACCOUNT": self.payment,
             "URL": lambda: "https://" + self.url() + "/", "IM_ACCOUNT": self.im,
             "DEVICE": self.device}[t]()
        return (t, v)

    # ---- record makers ----
    def reading(self, s, ts, value, rid=None):
        rec = {"id": rid or self.next_id("SENSOR"), "sensorId": s["sensorId"],
               "kind": s["kind"], "value": value, "ts": ts,
               "lat": s["p"][0], "lon": s["p"][1]}
        if self.rng.random() < 0.1:
            rec["unit"] = UNIT[s["kind"]]
        if self.rng.random() < s["cc"]:
            rec["cityCode"] = self.citycode(s["city"])
        return Ev("SENSOR", rec, s["city"], s["p"], kind=s["kind"],
                  breach=value >= oracle.THRESHOLD[s["kind"]])

    def call(self, ts, pc, cat, citycode="auto"):
        p, city = pc
        rec = {"id": self.next_id("CALL"), "ts": ts, "lat": p[0], "lon": p[1],
               "category": cat}
        if citycode == "auto":
            if self.rng.random() < 0.7:
                rec["cityCode"] = self.citycode(city)
        elif citycode is not None:
            rec["cityCode"] = citycode
            city = citycode[:4] + "00"
        if self.rng.random() < 0.6:
            rec["callerHash"] = "%016x" % self.rng.getrandbits(64)
        if self.rng.random() < 0.5:
            rec["text"] = CALL_TEXT[cat]
        return Ev("CALL", rec, city, p, cat=cat)

    def report(self, ts, city, amount, idents, rid=None):
        rec = {"id": rid or self.next_id("FRAUD"), "ts": ts, "cityCode": self.citycode(city),
               "fraudType": self.rng.choice(FRAUD_TYPES), "amountCny": amount,
               "identifiers": [{"type": t, "value": v} for t, v in idents]}
        return Ev("FRAUD", rec, city)

    def ack(self, aid, prov, ts, status=None):
        rec = {"alertId": aid, "province": prov, "ts": ts,
               "status": status or self.rng.choice(["RECEIVED", "VERIFYING", "CONFIRMED"])}
        if self.rng.random() < 0.3:
            rec["operator"] = "op-%s-%03d" % (prov[:2], self.rng.randrange(1000))
        return Ev("ACK", rec, None)

    def amount(self):
        return round(self.rng.choice([self.rng.uniform(200, 5000), self.rng.uniform(5000, 80000),
                                      self.rng.uniform(80000, 300000)]), 2)

    # ---- family bookkeeping ----
    def commit(self, name, set_no, evs, expects, acks=(), note=""):
        """Accept a family's events unless they could interfere with earlier families."""
        spatial = [e for e in evs if e.p is not None]
        for e in spatial:
            for q in self.planted:
                if conflicts(e, q):
                    raise Retry("conflict with " + q.family)
        tag = "%s#%d" % (name, set_no)
        for e in evs:
            e.family = tag
        self.planted.extend(evs)
        for a in acks:
            a.family = tag
            self.acks.append(a)
        for x in expects:
            aid = x["alertId"]
            if aid in self.expect:
                raise GenError("duplicate expectation " + aid)
            x["family"] = tag
            self.expect[aid] = x
        self.families.append({"family": tag, "note": note,
                              "alerts": [x["alertId"] for x in expects if not x.get("absent")],
                              "absent": [x["alertId"] for x in expects if x.get("absent")]})

    def plant(self, fn, name, set_no, t):
        saved = (dict(self.counters), self.sensor_n, set(self.used_values),
                 set(self.hand_ack_pairs))
        for attempt in range(60):
            try:
                out = fn(t + attempt * 7 * MIN if attempt >= 30 else t, set_no)
                self.commit(name, set_no, *out)
                return
            except Retry:
                (counters, self.sensor_n, self.used_values, self.hand_ack_pairs) = (
                    dict(saved[0]), saved[1], set(saved[2]), set(saved[3]))
                self.counters = counters
        raise GenError("could not place family " + name)

    def sensor_track(self, s, t_from, t_to, evs):
        """Regular sub-threshold readings of a planted sensor every 5 min."""
        thr = oracle.THRESHOLD[s["kind"]]
        t = t_from + self.rng.randrange(5 * MIN)
        level = self.rng.uniform(0.2, 0.5)
        while t <= t_to:
            level = min(0.8, max(0.05, level + self.rng.uniform(-0.04, 0.04)))
            evs.append(self.reading(s, t, round(thr * level, 3)))
            t += 5 * MIN + self.rng.randrange(-3000, 3000)

    def hand_acks(self, aid, prov, acks, *ack_evs):
        self.hand_ack_pairs.add((aid, prov))
        acks.extend(ack_evs)


def X(alert_id, evidence=None, severity=None, cancelled=False, references=(), first_d=None,
      esc=None):
    """An expectation. esc: {province: True/False} for hand-acked pairs."""
    return {"alertId": alert_id, "evidence": sorted({(e.stream, e.id) for e in evidence}),
            "provinces": sorted({e.prov for e in evidence}), "severity": severity,
            "cancelled": cancelled, "references": list(references), "first_d": first_d or {},
            "esc": esc or {}}


def ABSENT(alert_id):
    return {"alertId": alert_id, "absent": True}


def burst_id(anchor, t, norm):
    """The id of the burst that anchor report opens for identifier (t, norm) (rules-v1.md)."""
    idents = [(i["type"], oracle.normalise(i["type"], i["value"])) for i in anchor.rec["identifiers"]]
    return "CYB-BURST:%s:%s" % (anchor.id, oracle.ident_position({"idents": idents}, (t, oracle.normalise(t, norm))))


def fmt_phone(n, style):
    if style == "plus":
        return "+86 %s-%s-%s" % (n[:3], n[3:7], n[7:])
    if style == "86":
        return "86" + n
    if style == "spaced":
        return "%s %s %s" % (n[:3], n[3:7], n[7:])
    if style == "paren":
        return "(+86) %s %s %s" % (n[:3], n[3:7], n[7:])
    return n


def spaced_bank(b):
    return " ".join(b[i:i + 4] for i in range(0, len(b), 4))


# ---------------------------------------------------------------------------------------
# planted families. Each returns (events, expectations, hand acks, note).
# ---------------------------------------------------------------------------------------
def fam_cascade_border(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1, P2 = g.border_site()
    sp, scity = g.find(c, 2, 5, prov=P1)
    S = B.new_sensor("GAS", sp, scity, "PL")
    evs = []
    t0 = T
    b1 = B.reading(S, t0, round(r.uniform(30, 45), 3))
    k1 = B.call(t0, g.find(sp, 0.5, 3, prov=P1), "FIRE")                 # same ts as breach
    k2 = B.call(t0 + 4 * MIN + r.randrange(MIN), g.find(sp, 14.9, 14.9, prov=P2), "GAS_LEAK")
    k3 = B.call(t0 + 6 * MIN + r.randrange(MIN), g.find(sp, 15.1, 15.1), "EXPLOSION")  # decoy
    k4 = B.call(t0 + 7 * MIN + r.randrange(MIN), g.find(sp, 1, 3, prov=P1), "FLOOD")  # decoy
    k5 = B.call(t0 + 9 * MIN + r.randrange(MIN), g.find(sp, 3, 6, prov=P1), "FIRE")
    b2 = B.reading(S, t0 + 20 * MIN + r.randrange(MIN), 25.0)              # == threshold
    k6 = B.call(b2.ts + 30 * MIN, g.find(sp, 2, 6, prov=P1), "EXPLOSION")  # window end
    k7 = B.call(b2.ts + 30 * MIN + 1, g.find(sp, 2, 6, prov=P1), "GAS_LEAK")  # +1 ms: decoy
    b3 = B.reading(S, b2.ts + 60 * MIN + r.randrange(MIN), round(r.uniform(26, 30), 3))
    evs += [b1, b2, b3, k1, k2, k3, k4, k5, k6, k7]
    B.sensor_track(S, t0 - 2 * HOUR, t0 + 3 * HOUR, evs)
    aid = "INC-CASCADE:" + b1.id
    d = k5.ts
    acks = []
    B.hand_acks(aid, P1, acks, B.ack(aid, P1, d + 5 * MIN, "RECEIVED"))       # at deadline
    B.hand_acks(aid, P2, acks, B.ack(aid, P2, d + 5 * MIN + 1, "CONFIRMED"))  # 1 ms late
    ex = [X(aid, [b1, b2, k1, k2, k5, k6], "CRITICAL", first_d={P1: d, P2: d},
            esc={P1: False, P2: True}),
          ABSENT("INC-CASCADE:" + b3.id), ABSENT("INC-SPREAD:" + b1.id)]
    return evs, ex, acks, ("cross-border GAS incident: call at t0 (tie), 14.9 km joins, 15.1 km "
                           "and unrelated category do not, breach == threshold extends the "
                           "window, call at lastBreach+30min joins, +1 ms does not; acks at "
                           "the deadline (no ESC) and 1 ms late (ESC)")


def fam_cascade_two(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1 = g.inland_site()
    pa, ca = g.find(c, 0, 2, prov=P1)
    pb, cb = g.find(pa, 7, 9, prov=P1)
    SA = B.new_sensor("SMOKE", pa, ca, "PL")
    SB = B.new_sensor("GAS", pb, cb, "PL")
    a1 = B.reading(SA, T, round(r.uniform(11, 20), 3))
    b1 = B.reading(SB, T + 2 * MIN, round(r.uniform(26, 40), 3))
    both = dict(prov=P1, near=[(pb, 13.5)])
    k1 = B.call(T + 5 * MIN, g.find(pa, 1, 6, **both), "FIRE")
    k2 = B.call(T + 8 * MIN, g.find(pa, 1, 6, **both), "EXPLOSION")
    k3 = B.call(T + 12 * MIN, g.find(pa, 1, 6, **both), "FIRE")
    k4 = B.call(T + 15 * MIN, g.find(pb, 1, 5, prov=P1), "GAS_LEAK")
    evs = [a1, b1, k1, k2, k3, k4]
    B.sensor_track(SA, T - 2 * HOUR, T + 2 * HOUR, evs)
    B.sensor_track(SB, T - 2 * HOUR, T + 2 * HOUR, evs)
    ex = [X("INC-CASCADE:" + a1.id, [a1, k1, k2, k3], "HIGH", first_d={P1: k3.ts}),
          X("INC-CASCADE:" + b1.id, [b1, k1, k2, k3, k4], "HIGH", first_d={P1: k3.ts})]
    return evs, ex, [], "calls joining the incidents of two sensors (SMOKE and GAS, 8 km apart)"


def fam_cascade_decoys(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1 = g.inland_site()
    pc, cc = g.find(c, 0, 2, prov=P1)
    SC = B.new_sensor("STRUCTURAL", pc, cc, "PL")
    near = lambda: g.find(pc, 0.5, 3, prov=P1)  # noqa: E731
    s0 = B.reading(SC, T, 999.999)                                   # just below threshold
    e1 = B.call(T + 1 * MIN, near(), "COLLAPSE")
    e2 = B.call(T + 3 * MIN, near(), "COLLAPSE")
    t0 = T + 5 * MIN
    br = B.reading(SC, t0, 1000.0)                                   # exactly threshold
    e3 = B.call(t0 - 1, near(), "COLLAPSE")                          # 1 ms before t0
    j1 = B.call(t0, near(), "COLLAPSE")
    j2 = B.call(t0 + 4 * MIN, near(), "COLLAPSE")
    j3 = B.call(t0 + 29 * MIN, near(), "COLLAPSE")
    # a second sensor whose incident gets only 2 joining calls
    pe, ce = g.find(pc, 25, 35, prov=P1)
    SE = B.new_sensor("WATER_QUALITY", pe, ce, "PL")
    w = B.reading(SE, T + 40 * MIN, round(r.uniform(41, 60), 3))
    w1 = B.call(w.ts + 3 * MIN, g.find(pe, 1, 5, prov=P1), "POLLUTION")
    w2 = B.call(w.ts + 9 * MIN, g.find(pe, 1, 5, prov=P1), "POLLUTION")
    w3 = B.call(w.ts + 12 * MIN, g.find(pe, 15.1, 15.1, prov=P1), "POLLUTION")
    w4 = B.call(w.ts + 31 * MIN, g.find(pe, 1, 5, prov=P1), "POLLUTION")  # after the window
    evs = [s0, e1, e2, br, e3, j1, j2, j3, w, w1, w2, w3, w4]
    B.sensor_track(SC, T - 2 * HOUR, T + 2 * HOUR, evs)
    B.sensor_track(SE, T - HOUR, T + 3 * HOUR, evs)
    ex = [X("INC-CASCADE:" + br.id, [br, j1, j2, j3], "HIGH", first_d={P1: j3.ts}),
          ABSENT("INC-CASCADE:" + w.id), ABSENT("INC-CLUSTER:" + e1.id)]
    return evs, ex, [], ("STRUCTURAL 999.999 (no breach) then 1000.0 (breach); calls before t0 "
                         "(one at t0-1 ms) do not join; 5 COLLAPSE calls in one province make "
                         "no cluster alert; WATER_QUALITY incident with only 2 joining calls")


def fam_spread_one_province(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1 = g.inland_site()
    p1, c1 = g.find(c, 0, 3, prov=P1)
    p2, c2 = g.find(p1, 25, 35, prov=P1)
    W1 = B.new_sensor("WATER_LEVEL", p1, c1, "PL")
    W2 = B.new_sensor("WATER_LEVEL", p2, c2, "PL")
    x1 = B.reading(W1, T, round(r.uniform(5.5, 7), 3))
    x2 = B.reading(W2, T + HOUR, round(r.uniform(5.1, 6), 3))
    x3 = B.reading(W1, T + 2 * HOUR, round(r.uniform(5.5, 8), 3))
    evs = [x1, x2, x3]
    B.sensor_track(W1, T - HOUR, T + 3 * HOUR, evs)
    B.sensor_track(W2, T - HOUR, T + 3 * HOUR, evs)
    return evs, [ABSENT("INC-SPREAD:" + x1.id), ABSENT("INC-SPREAD:" + x2.id)], [], \
        "WATER_LEVEL breaches 30 km apart in one province: episode without alert"


def fam_spread_cross(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1, P2 = g.border_site()
    pa, ca = g.find(c, 2, 6, prov=P1)
    pd, cd = g.find(pa, 55, 55, prov=P1)
    pb, cb = g.find(pa, 38, 45, prov=P2, near=[(pd, 48)])
    pa2, ca2 = g.find(pa, 0.8, 1.2, prov=P1, far=[(pd, 51)])
    SA = B.new_sensor("RAINFALL", pa, ca, "PL")
    SD = B.new_sensor("RAINFALL", pd, cd, "PL")
    SBs = B.new_sensor("RAINFALL", pb, cb, "PL")
    SA2 = B.new_sensor("RAINFALL", pa2, ca2, "PL")
    a1 = B.reading(SA, T, round(r.uniform(60, 80), 3))
    d1 = B.reading(SD, T + 30 * MIN, round(r.uniform(55, 70), 3))
    b1 = B.reading(SBs, T + 2 * HOUR, round(r.uniform(52, 70), 3))
    a2 = B.reading(SA, T + 6 * HOUR, 50.0)                    # anchor + 6 h exactly
    a3 = B.reading(SA2, T + 6 * HOUR + 1, round(r.uniform(60, 75), 3))  # + 1 ms: too late
    evs = [a1, d1, b1, a2, a3]
    for s in (SA, SD, SBs, SA2):
        B.sensor_track(s, T - HOUR, T + 7 * HOUR, evs)
    ex = [X("INC-SPREAD:" + a1.id, [a1, b1, a2], "CRITICAL", first_d={P1: b1.ts, P2: b1.ts}),
          X("INC-SPREAD:" + d1.id, [d1, b1], "CRITICAL", first_d={P1: b1.ts, P2: b1.ts}),
          ABSENT("INC-SPREAD:" + a3.id), ABSENT("INC-SPREAD:" + b1.id)]
    return evs, ex, [], ("RAINFALL across a border: breach 55 km away opens its own episode, a "
                         "breach within 50 km of both anchors joins both (two alerts), breach "
                         "at anchor+6h joins, +6h+1ms does not")


def fam_cluster_border(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1, P2 = g.border_site()
    cat = "PUBLIC_DISORDER"
    p1 = g.find(c, 2, 4, prov=P1)
    k1 = B.call(T, p1, cat)
    ks = [B.call(T + m * MIN + r.randrange(30000), g.find(p1[0], 0.5, 3, prov=P1), cat)
          for m in (2, 5, 8, 12, 15)]
    p7 = g.find(p1[0], 6, 9.5, prov=P2)
    p8 = g.find(p1[0], 5, 9.5, prov=P2)
    p9 = g.find(p1[0], 10.1, 10.1, prov=P1, far=[(p7[0], 10.5), (p8[0], 10.5)])
    k9 = B.call(T + 10 * MIN, p9, cat)               # 10.1 km from the anchor: own cluster
    k7 = B.call(T + 20 * MIN, p7, cat)               # anchor + 20 min exactly, other province
    k8 = B.call(T + 20 * MIN + 1, p8, cat)           # + 1 ms: cluster closed
    evs = [k1] + ks + [k9, k7, k8]
    aid = "INC-CLUSTER:" + k1.id
    acks = []
    B.hand_acks(aid, P1, acks, B.ack(aid, P1, k7.ts + 10 * MIN, "VERIFYING"))
    B.hand_acks(aid, P2, acks, B.ack(aid, P2, k7.ts + 15 * MIN, "FALSE_ALARM"))
    ex = [X(aid, [k1] + ks + [k7], "HIGH", first_d={P1: k7.ts, P2: k7.ts},
            esc={P1: False, P2: False}),
          ABSENT("INC-CLUSTER:" + k9.id), ABSENT("INC-CLUSTER:" + k8.id)]
    return evs, ex, acks, ("6 calls in one province (no alert), 7th across the border at "
                           "anchor+20 min exactly (alert), 8th at +20min+1ms and one at 10.1 km "
                           "do not join; acks in time and FALSE_ALARM exactly at the deadline")


def fam_cluster_decoys(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1, P2 = g.border_site()
    evs, ex = [], []
    for i, (cat, n) in enumerate([("VIOLENCE", 4), ("FRAUD", 6), ("MISSING_PERSON", 5),
                                  ("OTHER", 5)]):
        t = T + i * 25 * MIN
        a = g.find(c, 1, 3, prov=P1)
        first = B.call(t, a, cat)
        evs.append(first)
        for j in range(1, n):
            evs.append(B.call(t + j * 3 * MIN, g.find(a[0], 0.5, 7, prov=(P1, P2)[j % 2]), cat))
        ex.append(ABSENT("INC-CLUSTER:" + first.id))
    return evs, ex, [], ("4 VIOLENCE calls across a border (too few); 6 FRAUD, 5 MISSING_PERSON, "
                         "5 OTHER calls across a border (excluded categories)")


def fam_cluster_citycode(B, T, set_no):
    g, r = B.geo, B.rng
    c, P1, P2 = g.border_site()
    cat = "TRAFFIC_ACCIDENT"
    a = g.find(c, 2, 4, prov=P1)
    other_city = g.find(c, 2, 6, prov=P2)[1]
    calls = [B.call(T, a, cat)]
    for j in range(1, 5):
        cc = B.citycode(other_city) if j == 3 else "auto"
        calls.append(B.call(T + j * 3 * MIN + r.randrange(30000),
                            g.find(a[0], 0.3, 4, prov=P1), cat, citycode=cc))
    ex = [X("INC-CLUSTER:" + calls[0].id, calls, "HIGH",
            first_d={P1: calls[4].ts, P2: calls[4].ts})]
    return calls, ex, [], ("5 TRAFFIC_ACCIDENT calls all located in one province; one carries "
                           "the cityCode of a neighbouring province's city (cityCode wins), so "
                           "the cluster spans 2 provinces and alerts")


def fam_link_chain(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    city = lambda p: B.geo.random_city(p)  # noqa: E731
    phone = "13912345678" if set_no == 0 else B.phone()
    B.used_values.add(phone)
    bank = B.bank()
    pay = B.payment()
    site = B.url()
    A = B.report(T, city(P[0]), B.amount(), [("PHONE", fmt_phone(phone, "plus")),
                                              ("BANK_ACCOUNT", spaced_bank(bank))])
    Bb = B.report(T + 2 * HOUR, city(P[0]), B.amount(),
                  [("BANK_ACCOUNT", bank), ("PAYMENT_ACCOUNT", pay.upper())])
    C = B.report(T + 5 * HOUR, city(P[1]), B.amount(),
                 [("PAYMENT_ACCOUNT", "  " + pay + " "), ("URL", "https://www." + site + "/")])
    D = B.report(T + 8 * HOUR, city(P[2]), B.amount(), [("PHONE", fmt_phone(phone, "86"))])
    E = B.report(T + 10 * HOUR, city(P[0]), B.amount(), [("PHONE", fmt_phone(phone, "spaced"))])
    F = B.report(T + 12 * HOUR, city(P[3]), B.amount(), [("URL", "http://" + site.upper())])
    evs = [A, Bb, C, D, E, F]
    ex = [X("CYB-LINK:" + A.id, evs, "HIGH",
            first_d={P[0]: C.ts, P[1]: C.ts, P[2]: D.ts, P[3]: F.ts})]
    return evs, ex, [], ("chain A-B-C through bank account (spaced / plain), payment account "
                         "(case, blanks) and URL; phone written +86 139-1234-5678 / "
                         "8613912345678 / 139 1234 5678; URL with and without scheme/www/slash")


def fam_link_merge_alerted(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    city = lambda p: B.geo.random_city(p)  # noqa: E731
    x, y = B.phone(), B.bank()
    F1 = B.report(T, city(P[0]), B.amount(), [("PHONE", x), ("URL", "https://" + B.url())])
    F2 = B.report(T + 30 * MIN, city(P[1]), B.amount(), [("PHONE", fmt_phone(x, "spaced"))])
    G1 = B.report(T + 60 * MIN, city(P[2]), B.amount(), [("BANK_ACCOUNT", y)])
    G2 = B.report(T + 90 * MIN, city(P[3]), B.amount(), [("BANK_ACCOUNT", spaced_bank(y))])
    delay = [15 * MIN, 20 * MIN, 3 * MIN][set_no % 3]
    H = B.report(G2.ts + delay, city(P[1]), B.amount(), [("PHONE", x), ("BANK_ACCOUNT", y)])
    evs = [F1, F2, G1, G2, H]
    fid, gid = "CYB-LINK:" + F1.id, "CYB-LINK:" + G1.id
    acks = []
    for p in (P[2], P[3]):
        B.hand_acks(gid, p, acks)  # nobody acknowledges G's alert
    esc = delay > 15 * MIN
    ex = [X(fid, evs, "HIGH", first_d={P[0]: F2.ts, P[1]: F2.ts, P[2]: H.ts, P[3]: H.ts}),
          X(gid, [G1, G2], "HIGH", cancelled=True, references=[fid],
            first_d={P[2]: G2.ts, P[3]: G2.ts}, esc={P[2]: esc, P[3]: esc})]
    return evs, ex, acks, ("two cases that each alerted merge %d min after the second alert "
                           "(unacknowledged; deadline 15 min): the later one is CANCELled with "
                           "references to the survivor; escalation %s"
                           % (delay // MIN, "fires and stays" if esc else
                              "prevented by the CANCEL at or before the deadline"))


def fam_link_merge_tie(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    city = lambda p: B.geo.random_city(p)  # noqa: E731
    u, v = B.im(), B.device()
    N1 = B.report(T, city(P[0]), B.amount(), [("IM_ACCOUNT", u)])      # smaller id
    M1 = B.report(T, city(P[1]), B.amount(), [("DEVICE", v)])          # same ts, larger id
    M2 = B.report(T + 10 * MIN, city(P[2]), B.amount(), [("DEVICE", v.lower())])
    O = B.report(T + 20 * MIN, city(P[3]), B.amount(),
                 [("IM_ACCOUNT", " " + u.upper()), ("DEVICE", v)])
    evs = [N1, M1, M2, O]
    nid, mid = "CYB-LINK:" + N1.id, "CYB-LINK:" + M1.id
    ex = [X(nid, evs, "HIGH", first_d={p: O.ts for p in P}),
          X(mid, [M1, M2], "HIGH", cancelled=True, references=[nid],
            first_d={P[1]: M2.ts, P[2]: M2.ts})]
    return evs, ex, [], ("merge tie: both first reports have the same ts, the smaller report id "
                         "survives even though only the other case had alerted (ALERT for the "
                         "survivor, CANCEL before the deadline: no escalation)")


def fam_link_loss(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    city = lambda p: B.geo.random_city(p)  # noqa: E731
    w = B.payment()
    L1 = B.report(T, city(P[0]), 400000, [("PAYMENT_ACCOUNT", w)])
    L2 = B.report(T + HOUR, city(P[1]), 599000, [("PAYMENT_ACCOUNT", w)])
    L3 = B.report(T + 2 * HOUR, city(P[0]), 1000, [("PAYMENT_ACCOUNT", w)])  # sum = 1,000,000
    lid = "CYB-LINK:" + L1.id
    q = B.phone()
    K1 = B.report(T + 3 * HOUR, city(P[2]), 1250000.5, [("PHONE", q)])
    K2 = B.report(T + 3 * HOUR + 20 * MIN, city(P[3]), 30000, [("PHONE", fmt_phone(q, "plus"))])
    kid = "CYB-LINK:" + K1.id
    acks = []
    B.hand_acks(lid, P[0], acks, B.ack(lid, P[0], L2.ts + 15 * MIN - 1))
    B.hand_acks(lid, P[1], acks)                                         # never acknowledged
    B.hand_acks(kid, P[2], acks, B.ack(kid, P[2], K2.ts + 5 * MIN - 1))
    B.hand_acks(kid, P[3], acks, B.ack(kid, P[3], K2.ts + 5 * MIN + 1))  # 1 ms late
    ex = [X(lid, [L1, L2, L3], "CRITICAL", first_d={P[0]: L2.ts, P[1]: L2.ts},
            esc={P[0]: False, P[1]: True}),
          X(kid, [K1, K2], "CRITICAL", first_d={P[2]: K2.ts, P[3]: K2.ts},
            esc={P[2]: False, P[3]: True})]
    return [L1, L2, L3, K1, K2], ex, acks, (
        "loss: HIGH at 999,000 CNY, UPDATE to CRITICAL at exactly 1,000,000 (its escalation, "
        "due 15 min after the HIGH alert, ends CRITICAL); a case over 1,000,000 is CRITICAL "
        "from the start (SLA 5 min, ack 1 ms late)")


def fam_link_single(B, T, set_no):
    p = B.rng.choice(PROVINCES)
    ph = B.phone()
    S1 = B.report(T, B.geo.random_city(p), B.amount(), [("PHONE", ph)])
    S2 = B.report(T + 3 * HOUR, B.geo.random_city(p), B.amount(),
                  [("PHONE", fmt_phone(ph, "plus")), ("BANK_ACCOUNT", B.bank())])
    return [S1, S2], [ABSENT("CYB-LINK:" + S1.id)], [], "linked reports within one province"


def fam_link_7days(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    city = lambda p: B.geo.random_city(p)  # noqa: E731
    i1, i2, site = B.im(), B.device(), B.url()
    Xa = B.report(T, city(P[0]), B.amount(), [("IM_ACCOUNT", i1)])
    Xb = B.report(T + 7 * DAY, city(P[1]), B.amount(), [("IM_ACCOUNT", i1)])
    Ya = B.report(T + HOUR, city(P[0]), B.amount(), [("DEVICE", i2)])
    Yb = B.report(T + HOUR + 7 * DAY - 1, city(P[1]), B.amount(), [("DEVICE", i2)])
    Za = B.report(T + 2 * HOUR, city(P[2]), B.amount(), [("URL", "www." + site)])
    Zb = B.report(T + 36 * HOUR, city(P[3]), B.amount(), [("URL", "https://" + site + "/")])
    Zc = B.report(T + 2 * HOUR + 7 * DAY + 3 * HOUR, city(P[2]), B.amount(), [("URL", site)])
    ex = [ABSENT("CYB-LINK:" + Xa.id), ABSENT("CYB-LINK:" + Xb.id),
          X("CYB-LINK:" + Ya.id, [Ya, Yb], "HIGH", first_d={P[0]: Yb.ts, P[1]: Yb.ts}),
          X("CYB-LINK:" + Za.id, [Za, Zb, Zc], "HIGH", first_d={P[2]: Zb.ts, P[3]: Zb.ts})]
    return [Xa, Xb, Ya, Yb, Za, Zb, Zc], ex, [], (
        "reports exactly 7 days apart (no link) vs 7 days - 1 ms (link); an identifier kept live "
        "by a later report links a report 7 days + 3 h after the case's first report")


def fam_burst_5(B, T, set_no):
    r = B.rng
    P = PROVINCES[:]
    r.shuffle(P)
    w = B.payment()
    rs = [B.report(T + m * MIN, B.geo.random_city(P[0]), B.amount(),
                   [("PAYMENT_ACCOUNT", w)] + ([("PHONE", B.phone())] if r.random() < 0.5 else []))
          for m in (0, 10, 25, 40, 55)]
    r6 = B.report(rs[-1].ts + 60 * MIN, B.geo.random_city(P[1]), B.amount(),
                  [("PAYMENT_ACCOUNT", w)])                      # gap of exactly 60 min
    r7 = B.report(r6.ts + 60 * MIN + 1, B.geo.random_city(P[0]), B.amount(),
                  [("PAYMENT_ACCOUNT", w)])                      # gap of 60 min + 1 ms
    ex = [X(burst_id(rs[0], "PAYMENT_ACCOUNT", w), rs + [r6], "HIGH",
            first_d={P[0]: rs[4].ts, P[1]: r6.ts}),
          ABSENT(burst_id(r7, "PAYMENT_ACCOUNT", w)),
          X("CYB-LINK:" + rs[0].id, rs + [r6, r7], "HIGH", first_d={P[0]: r6.ts, P[1]: r6.ts})]
    return rs + [r6, r7], ex, [], ("burst: 5 reports in 55 min (alert), 6th after a gap of "
                                   "exactly 60 min from another province (update), 7th after "
                                   "60 min + 1 ms (new burst); the same reports form a case")


def fam_burst_4(B, T, set_no):
    p = B.rng.choice(PROVINCES)
    w = B.im()
    rs = [B.report(T + m * MIN, B.geo.random_city(p), B.amount(), [("IM_ACCOUNT", w)])
          for m in (0, 7, 19, 30)]
    if B.repeat_of is None:
        B.repeat_of = rs[3]
    return rs, [ABSENT(burst_id(rs[0], "IM_ACCOUNT", w)), ABSENT("CYB-LINK:" + rs[0].id)], [], \
        "4 reports in 30 min (no burst)" + (
            "; the 4th report is the repeated record" if B.repeat_of is rs[3] else "")


def fam_burst_spread(B, T, set_no):
    p = B.rng.choice(PROVINCES)
    w = B.device()
    rs = [B.report(T + k * 75 * MIN, B.geo.random_city(p), B.amount(), [("DEVICE", w)])
          for k in range(5)]
    return rs, [ABSENT(burst_id(x, "DEVICE", w)) for x in rs], [], \
        "5 reports spread over 5 hours (gaps of 75 min): no burst"


def fam_burst_twice(B, T, set_no):
    r = B.rng
    p = r.choice(PROVINCES)
    w = "WeChatPay_" + B.payment().split("_")[1]
    n = w.lower()
    rs = []
    for k, m in enumerate((0, 8, 17, 29, 40)):
        ids = [("PAYMENT_ACCOUNT", w)]
        if k == 2:
            ids = [("PAYMENT_ACCOUNT", " " + w + " "), ("BANK_ACCOUNT", B.bank()),
                   ("PAYMENT_ACCOUNT", n)]
        rs.append(B.report(T + m * MIN, B.geo.random_city(p), B.amount(), ids))
    w2 = B.payment()
    qs = []
    for k, m in enumerate((0, 12, 20, 33)):
        ids = [("PAYMENT_ACCOUNT", w2)] * (2 if k == 1 else 1)
        qs.append(B.report(T + 3 * HOUR + m * MIN, B.geo.random_city(p), B.amount(), ids))
    ex = [X(burst_id(rs[0], "PAYMENT_ACCOUNT", n), rs, "HIGH", first_d={p: rs[4].ts}),
          ABSENT(burst_id(qs[0], "PAYMENT_ACCOUNT", w2))]
    return rs + qs, ex, [], ("a report naming the same identifier twice counts once: 5 reports "
                             "(alert) and 4 reports with one naming it twice (no alert)")


def fam_burst_phone(B, T, set_no):
    p = B.rng.choice(PROVINCES)
    ph = B.phone()
    rs = [B.report(T + m * MIN, B.geo.random_city(p), B.amount(),
                   [("PHONE", fmt_phone(ph, st))])
          for m, st in zip((0, 9, 21, 33, 50), ("plus", "86", "spaced", "plain", "paren"))]
    return rs, [X(burst_id(rs[0], "PHONE", ph), rs, "HIGH", first_d={p: rs[4].ts})], [], \
        "burst on one phone number written five different ways"


# (function, name, offset in hours within a set)
FAMILIES = [
    (fam_cascade_border, "cascade-border", 1.0),
    (fam_cascade_two, "cascade-two-incidents", 2.5),
    (fam_cascade_decoys, "cascade-decoys", 4.0),
    (fam_spread_one_province, "spread-one-province", 5.0),
    (fam_spread_cross, "spread-cross", 6.0),
    (fam_cluster_border, "cluster-6+1", 8.0),
    (fam_cluster_decoys, "cluster-decoys", 9.5),
    (fam_cluster_citycode, "cluster-citycode", 11.0),
    (fam_link_chain, "link-chain", 0.5),
    (fam_link_merge_alerted, "link-merge-alerted", 13.0),
    (fam_link_merge_tie, "link-merge-tie", 14.0),
    (fam_link_loss, "link-loss", 15.0),
    (fam_link_single, "link-single-province", 16.0),
    (fam_burst_5, "burst-5", 3.0),
    (fam_burst_4, "burst-4", 17.0),
    (fam_burst_spread, "burst-spread", 18.0),
    (fam_burst_twice, "burst-twice", 19.0),
    (fam_burst_phone, "burst-phone", 20.0),
]


# ---------------------------------------------------------------------------------------
# background traffic
# ---------------------------------------------------------------------------------------
def background(B):
    g, r = B.geo, B.rng
    span = B.end - T0
    cities = sorted(g.region.adcodes)
    n_sensors = max(4, int(round(62 * B.scale)))
    kinds = sorted(oracle.THRESHOLD)
    order = cities[:]
    r.shuffle(order)
    for i in range(n_sensors):
        city = order[i] if i < len(order) else r.choice(cities)
        kind = r.choice(kinds)
        p = g.random_in_city(city)
        while p is None:
            city = r.choice(cities)
            p = g.random_in_city(city)
        s = B.new_sensor(kind, p, city, "BG")
        thr = oracle.THRESHOLD[kind]
        step = r.choice([5, 5, 10]) * MIN
        t = T0 + r.randrange(step)
        level = r.uniform(0.15, 0.6)
        near_miss = r.random() < 0.15
        while t < B.end:
            level = min(0.85, max(0.03, level + r.uniform(-0.05, 0.05)))
            v = thr * level
            if near_miss and r.random() < 0.01:
                v = thr * r.uniform(0.97, 0.9995)  # close to, never at, the threshold
            B.background.append(B.reading(s, t, round(min(v, thr * 0.9995), 3)))
            t += step + r.randrange(-2000, 2000)
    n_calls = int(round(600 * B.scale * span / DAY))
    cats = [c for c, w in BG_CALL_WEIGHTS for _ in range(w)]
    made = 0
    while made < n_calls:
        city = r.choice(cities)
        p = g.random_in_city(city)
        if p is None:
            continue
        pc = (p, city)
        ev = B.call(T0 + r.randrange(span), pc, r.choice(cats))
        if any(conflicts(ev, q) for q in B.planted):
            continue  # its id is simply skipped; ids need not be contiguous
        B.background.append(ev)
        made += 1
    n_fraud = int(round(150 * B.scale * span / DAY))
    for _ in range(n_fraud):
        k = r.choice([1, 1, 2, 2, 2, 3])
        B.background.append(B.report(T0 + r.randrange(span), r.choice(cities), B.amount(),
                                     [B.random_ident() for _ in range(k)]))


def hostile_lines(B):
    """(arrival ts, stream, raw line) of lines that must be dead-lettered."""
    r = B.rng
    out = []
    t = lambda: T0 + r.randrange(B.end - T0)  # noqa: E731
    some = lambda s: r.choice([e for e in B.background if e.stream == s])  # noqa: E731
    dumps = lambda o: json.dumps(o, ensure_ascii=False)  # noqa: E731
    # truncated JSON
    for s in ("SENSOR", "CALL", "FRAUD"):
        e = some(s)
        line = json.dumps(dict(e.rec, id=e.id + "-bad"), ensure_ascii=False)
        out.append((e.ts, s, line[:r.randrange(20, len(line) - 5)], "MALFORMED_JSON"))
    out.append((t(), "SENSOR", "\x00\x01 not json at all \x7f", "MALFORMED_JSON"))
    tt = t()
    out.append((tt, "CALL", '{"id": "c-bad-nan", "ts": %d, "lat": NaN, "lon": 120.1, '
                '"category": "FIRE"}' % tt, "MALFORMED_JSON"))
    out.append((t(), "ACK", '{"alertId": "INC-CASCADE:x", "province": "310000", ', "MALFORMED_JSON"))
    # wrong types / schema violations
    e = some("SENSOR")
    out.append((e.ts, "SENSOR", dumps(dict(e.rec, id=e.id + "-bad", ts="yesterday")), "SCHEMA"))
    e = some("SENSOR")
    out.append((e.ts, "SENSOR", dumps(dict(e.rec, id=e.id + "-bad", value="high")), "SCHEMA"))
    e = some("SENSOR")
    rec = dict(e.rec, id=e.id + "-bad")
    del rec["sensorId"]
    out.append((e.ts, "SENSOR", dumps(rec), "SCHEMA"))
    e = some("CALL")
    out.append((e.ts, "CALL", dumps(dict(e.rec, id=e.id + "-bad", category="EARTHQUAKE")),
                "SCHEMA"))
    e = some("CALL")
    out.append((e.ts, "CALL", dumps(dict(e.rec, id=e.id + "-bad", lat=95.0)), "SCHEMA"))
    e = some("CALL")
    out.append((e.ts, "CALL", dumps(dict(e.rec, id=e.id + "-bad", ts=e.ts + 0.5)), "SCHEMA"))
    e = some("FRAUD")
    out.append((e.ts, "FRAUD", dumps(dict(e.rec, id=e.id + "-bad", amountCny=-5)), "SCHEMA"))
    e = some("FRAUD")
    out.append((e.ts, "FRAUD", dumps(dict(e.rec, id=e.id + "-bad", identifiers=[])), "SCHEMA"))
    e = some("FRAUD")
    out.append((e.ts, "FRAUD", dumps(dict(e.rec, id=e.id + "-bad", identifiers=[
        {"type": "PHONE", "value": "+-() "}])), "SCHEMA"))
    tt = t()
    out.append((tt, "ACK", dumps({"alertId": "INC-CLUSTER:c-x", "province": "310000",
                                  "ts": tt, "status": "SEEN"}), "SCHEMA"))
    out.append((t(), "SENSOR", "[1, 2, 3]", "SCHEMA"))
    # cannot be placed
    e = some("SENSOR")
    rec = {k: v for k, v in e.rec.items() if k != "cityCode"}
    out.append((e.ts, "SENSOR", dumps(dict(rec, id=e.id + "-bad", lat=39.9042, lon=116.4074)),
                "OUT_OF_REGION"))
    e = some("CALL")
    rec = {k: v for k, v in e.rec.items() if k != "cityCode"}
    out.append((e.ts, "CALL", dumps(dict(rec, id=e.id + "-bad", lat=30.6, lon=124.2)),
                "OUT_OF_REGION"))
    e = some("CALL")
    out.append((e.ts, "CALL", dumps(dict(e.rec, id=e.id + "-bad", cityCode="110105")),
                "UNKNOWN_CITY"))
    e = some("SENSOR")
    out.append((e.ts, "SENSOR", dumps(dict(e.rec, id=e.id + "-bad", cityCode="320000")),
                "UNKNOWN_CITY"))
    e = some("FRAUD")
    out.append((e.ts, "FRAUD", dumps(dict(e.rec, id=e.id + "-bad", cityCode="500103")),
                "UNKNOWN_CITY"))
    return out


# ---------------------------------------------------------------------------------------
# writing, checking
# ---------------------------------------------------------------------------------------
def write_dir(B, outdir, random_acks):
    """Writes the four files; returns {stream: number of lines}."""
    r = random.Random(B.seed * 7919 + len(random_acks))
    lines = {s: [] for s in STREAM_FILE}
    evs = B.planted + B.background + B.acks + random_acks
    for e in evs:
        lines[e.stream].append((e.ts, json.dumps(e.rec, ensure_ascii=False,
                                                 separators=(",", ":"))))
    if B.repeat_of is not None:
        e = B.repeat_of
        lines[e.stream].append((e.ts + r.randrange(5000, 90000),
                                json.dumps(e.rec, ensure_ascii=False, separators=(",", ":"))))
    for ts, s, raw, _reason in B.hostile:
        lines[s].append((ts, raw))
    counts = {}
    for s, fname in oracle.STREAM_FILES:
        rows = sorted(lines[s], key=lambda x: x[0])
        # mild out-of-order: ~3 % of lines arrive up to 2 min late
        keyed = []
        for i, (ts, raw) in enumerate(rows):
            delay = r.randrange(1, 120000) if r.random() < 0.03 else 0
            keyed.append((ts + delay, i, raw))
        keyed.sort()
        with open(os.path.join(outdir, fname), "w", encoding="utf-8", newline="\n") as f:
            for _k, _i, raw in keyed:
                f.write(raw + "\n")
        counts[fname] = len(keyed)
    return counts


def max_disorder(outdir):
    worst = 0
    for _s, fname in oracle.STREAM_FILES:
        mx = None
        with open(os.path.join(outdir, fname), "rb") as f:
            for raw in f:
                try:
                    ts = json.loads(raw.decode("utf-8"))["ts"]
                except Exception:
                    continue
                if not isinstance(ts, int) or isinstance(ts, bool):
                    continue
                if mx is not None:
                    worst = max(worst, mx - ts)
                mx = ts if mx is None else max(mx, ts)
    return worst


def random_acks(B, eng):
    """Acks for every (alert, province) not planted by hand, with predicted escalations."""
    r = random.Random(B.seed * 104729)
    acks, esc_expect = [], {}
    for aid in sorted(eng.alerts):
        a = eng.alerts[aid]
        if a.rule_id == "ESC-ACK":
            continue
        for p in sorted(a.first_record):
            if (aid, p) in B.hand_ack_pairs:
                continue
            d, sev = a.first_record[p]
            sla = oracle.SLA_MS[sev]
            u = r.random()
            if u < 0.55:
                ts, late = d + r.randrange(20000, sla - 5000), False
            elif u < 0.65:
                ts, late = d + sla, False
            elif u < 0.78:
                ts, late = d + sla + r.randrange(1, 10 * MIN), True
            else:
                ts, late = None, True
            if ts is not None:
                acks.append(B.ack(aid, p, ts))
                if r.random() < 0.2:
                    acks.append(B.ack(aid, p, ts + r.randrange(HOUR, 6 * HOUR),
                                      r.choice(["RESOLVED", "FALSE_ALARM", "CONFIRMED"])))
            prevented_by_cancel = a.cancelled and a.cancel_ts <= d + sla
            esc_expect[(aid, p)] = late and not prevented_by_cancel
    # noise: acks for alerts that do not exist, and from provinces that were never addressed
    for _ in range(3):
        acks.append(B.ack("INC-CASCADE:s-%s-9999999" % B.prefix, r.choice(PROVINCES),
                          T0 + r.randrange(B.end - T0)))
    return acks, esc_expect


def check(B, eng, esc_random):
    """Compare the generator's predictions with the oracle's result; returns problems."""
    probs = []
    final = eng.alerts
    expected_ids = set()
    for aid, x in sorted(B.expect.items()):
        if x.get("absent"):
            if aid in final:
                probs.append("%s: predicted absent, oracle has it" % aid)
            continue
        expected_ids.add(aid)
        a = final.get(aid)
        if a is None:
            probs.append("%s: predicted, oracle has none" % aid)
            continue
        ev = sorted({(e["stream"], e["id"]) for e in a.evidence})
        if ev != x["evidence"]:
            probs.append("%s: evidence %s != predicted %s" % (aid, ev, x["evidence"]))
        if a.provinces != x["provinces"]:
            probs.append("%s: provinces %s != %s" % (aid, a.provinces, x["provinces"]))
        if a.severity != x["severity"]:
            probs.append("%s: severity %s != %s" % (aid, a.severity, x["severity"]))
        if a.cancelled != x["cancelled"] or a.references != x["references"]:
            probs.append("%s: cancelled/references differ" % aid)
        fd = {p: d for p, (d, _s) in a.first_record.items()}
        if fd != x["first_d"]:
            probs.append("%s: first records %s != predicted %s" % (aid, fd, x["first_d"]))
        for p, want in x["esc"].items():
            esc_id = "ESC-ACK:%s:%s" % (aid, p)
            if want:
                expected_ids.add(esc_id)
            if (esc_id in final) != want:
                probs.append("%s: escalation predicted %s" % (esc_id, want))
    for (aid, p), want in esc_random.items():
        esc_id = "ESC-ACK:%s:%s" % (aid, p)
        if want:
            expected_ids.add(esc_id)
        if (esc_id in final) != want:
            probs.append("%s: escalation predicted %s" % (esc_id, want))
    for aid, a in final.items():
        if aid in expected_ids:
            if a.rule_id == "ESC-ACK":
                src = final[a.references[0]]
                if (a.evidence is not src.evidence or a.severity != src.severity
                        or a.provinces != src.provinces):
                    probs.append("%s: does not follow %s" % (aid, src.alert_id))
            continue
        probs.append("%s: unexpected alert (evidence %d)" % (aid, len(a.evidence)))
    return probs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--days", type=float, default=2.0)
    ap.add_argument("--scale", type=float, default=1.0, help="background volume factor")
    ap.add_argument("--sets", type=int, default=None,
                    help="planted scenario sets (default: one per day)")
    args = ap.parse_args(argv)
    sets = args.sets if args.sets is not None else max(1, int(round(args.days)))
    B = Builder(args.seed, args.days, args.scale, sets)
    span = B.end - T0
    for s in range(sets):
        base = T0 + s * span // sets
        stretch = (span / sets) / DAY   # family offsets are compressed into the set's slot
        for fn, name, off in FAMILIES:
            t = base + int(off * HOUR * min(1.0, stretch)) + B.rng.randrange(-15 * MIN, 15 * MIN)
            t = max(t, T0 + 2 * HOUR + B.rng.randrange(HOUR))  # planted sensors report from t-2h
            B.plant(lambda tt, sn, fn=fn: fn(B, tt, sn), name, s, t)
    B.plant(lambda tt, sn: fam_link_7days(B, tt, sn), "link-7-days", 0,
            T0 + 3 * HOUR + B.rng.randrange(HOUR))
    background(B)
    B.hostile = hostile_lines(B)

    os.makedirs(args.out, exist_ok=True)
    cities = data_path("yrd-cities.geojson")
    with tempfile.TemporaryDirectory() as tmp:
        write_dir(B, tmp, [])
        _lines, _stats, eng1 = oracle.run(tmp, cities)
    acks, esc_random = random_acks(B, eng1)
    counts = write_dir(B, args.out, acks)
    lines, stats, eng = oracle.run(args.out, cities)
    with open(os.path.join(args.out, "expected-final-alerts.jsonl"), "w", encoding="utf-8") as f:
        for l in lines:
            f.write(l + "\n")
    dead = {k[5:]: v for k, v in sorted(stats.items()) if k.startswith("dead:")}
    want_dead = {}
    for h in B.hostile:
        want_dead[h[3]] = want_dead.get(h[3], 0) + 1
    problems = check(B, eng, esc_random)
    if dead != dict(sorted(want_dead.items())):
        problems.append("dead letters %s != planted %s" % (dead, want_dead))
    if stats["repeated"] != (1 if B.repeat_of is not None else 0):
        problems.append("repeated records: %d" % stats["repeated"])
    disorder = max_disorder(args.out)
    if disorder > 4 * MIN:
        problems.append("out-of-order by %d ms" % disorder)
    warn = {k: v for k, v in stats.items() if k.startswith("warn:")}
    if warn:
        problems.append("oracle warnings: %s" % warn)
    by_rule = {}
    for l in lines:
        rule = json.loads(l)["ruleId"]
        by_rule[rule] = by_rule.get(rule, 0) + 1
    manifest = {"seed": args.seed, "days": args.days, "scale": args.scale, "sets": sets,
                "t0": T0, "lines": counts, "deadLetters": dead,
                "repeatedRecord": B.repeat_of.id if B.repeat_of else None,
                "maxOutOfOrderMs": disorder, "alertsByRule": by_rule,
                "families": B.families}
    with open(os.path.join(args.out, "planted.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")
    total = sum(counts.values())
    print("wrote %s: %d lines %s; %d alerts %s; dead letters %s; max out-of-order %.1f s"
          % (args.out, total, counts, len(lines), by_rule, dead, disorder / 1000.0))
    if problems:
        print("PREDICTION MISMATCHES (%d):" % len(problems), file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("all %d predictions agree with the oracle" % len(B.expect))
    return 0


if __name__ == "__main__":
    sys.exit(main())
