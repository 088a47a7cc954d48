"""One rate of bench/pipeline.sh judged from its raw files: the backlog's slope, whether the rate was kept, sustained.

    python3 bench/pipeline_rate.py RAW TAG RATE SETTLE    prints the verdict line pipeline.sh shows after each rate
Imported by pipeline.sh's summary, so the verdict and the report are computed once, the same way.
"""
import json, os, sys


def judge(raw, tag, rate, settle):
    pts = [tuple(map(float, l.split())) for l in open(f"{raw}/{tag}.backlog") if l.strip()]
    tail = [p for p in pts if p[0] >= settle] or pts
    n = len(tail)
    mx, my = sum(p[0] for p in tail) / n, sum(p[1] for p in tail) / n
    den = sum((p[0] - mx) ** 2 for p in tail)
    slope = sum((p[0] - mx) * (p[1] - my) for p in tail) / den if den else 0.0
    load = json.load(open(f"{raw}/{tag}.load.json")).get("load") or {}
    stored, taken = map(int, open(f"{raw}/{tag}.counts").read().split())
    drain = open(f"{raw}/{tag}.drain").read().strip() if os.path.exists(f"{raw}/{tag}.drain") else None
    flat = slope <= 0.02 * rate
    kept = (load.get("achieved_rate") or 0) >= 0.97 * rate and load.get("not_ok") == 0
    return {
        "rate_per_second": int(rate), "achieved_rate": load.get("achieved_rate"), "requests": load.get("requests"),
        "not_ok": load.get("not_ok"), "ingest_latency_ms": load.get("latency_from_schedule_ms"),
        "backlog_slope_per_second": round(slope, 1), "backlog_at_settle": tail[0][1] if tail else None,
        "backlog_at_end": pts[-1][1] if pts else None, "backlog_max": max((p[1] for p in pts), default=None),
        "backlog_samples": [[round(t, 1), int(b)] for t, b in pts],
        "drained_after_s": int(drain) if drain and drain.isdigit() else None,
        "events_stored": stored, "events_taken_by_workflows": taken,
        "flat": flat, "sustained": flat and kept and taken >= stored,
        "loadavg_before": open(f"{raw}/{tag}.loadavg").read().split()[:3],
    }


if __name__ == "__main__":
    raw, tag, rate, settle = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    r = judge(raw, tag, rate, settle)
    print("sustained" if r["sustained"] else "not sustained",
          f"slope {r['backlog_slope_per_second']}/s, backlog max {r['backlog_max']:.0f}, achieved {r['achieved_rate']}, "
          f"non-200 {r['not_ok']}, stored {r['events_stored']}, taken {r['events_taken_by_workflows']}")
