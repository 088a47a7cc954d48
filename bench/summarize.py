#!/usr/bin/env python3
"""Turns bench/run.sh's raw outputs into bench/results/latest.json and the results table in bench/README.md.

  summarize.py RAW_DIR LATEST_JSON README_MD
"""
import json, os, platform, re, subprocess, sys
from datetime import datetime, timezone

raw, latest_path, readme_path = sys.argv[1], sys.argv[2], sys.argv[3]
NOT_YET = "not measured yet: needs Workflows/Notifier"


def read(name, default=None):
    path = os.path.join(raw, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return f.read()


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except Exception:
        return None


def machine():
    cpu = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": version(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "dotnet": version(["dotnet", "--version"]),
        "node": version(["node", "--version"]),
        "postgres": version(["sh", "-c", "ls /usr/lib/postgresql | sort -n | tail -n1"]),
        "redis": version(["redis-server", "--version"]),
        "wrk": version(["sh", "-c", "wrk -v 2>&1 | head -n1"]),
    }


OWN_GROUPS = {
    "ingest": ["ingest", "postgres", "redis", "workflows", "notifier", "apphost_dcp_dashboard", "smtp4dev"],
    "reference": ["reference_node"],
    "aspnet_ceiling": ["aspnet_ceiling"],
}
OWN_GROUPS["ingest"] = ["ingest", "postgres", "redis", "workflows", "notifier", "apphost", "aspire_dashboard", "dcp", "smtp4dev"]
OWN_GROUPS["ingest_deployed"] = ["ingest", "postgres", "redis", "workflows", "notifier", "otlp_sink", "smtp_sink"]
OWN_GROUPS["ingest_alone"] = OWN_GROUPS["ingest_deployed"]
OWN_GROUPS["reference_durable"] = ["reference_durable_node", "postgres"]


def wrk_json(text):
    line = next((l for l in text.splitlines() if l.startswith("WRK_JSON ")), None)
    return json.loads(line[len("WRK_JSON "):]) if line else None


def target(name):
    rounds = []
    for f in sorted(os.listdir(raw)):
        m = re.fullmatch(re.escape(name) + r"\.round(\d+)\.wrk", f)
        if not m:
            continue
        base = f[:-len(".wrk")]
        wrk = wrk_json(read(f))
        if not wrk:
            continue
        non_2xx = wrk["errors"]["status"]
        ok = wrk["requests"] - non_2xx
        r = {
            "round": int(m.group(1)),
            "ok_requests_per_second": round(ok / wrk["duration_s"], 1),
            "requests": wrk["requests"],
            "non_2xx": non_2xx,
            "socket_errors": {k: v for k, v in wrk["errors"].items() if k != "status"},
            "duration_s": wrk["duration_s"],
            "latency_ms": wrk["latency_ms"],
            "loadavg_before": (read(base + ".loadavg") or "").split()[:3],
        }
        cpu = read(base + ".cpu.json")
        if cpu:
            r["cpu_seconds"] = json.loads(cpu)
        drain = read(base + ".drain")
        if drain and drain.strip().isdigit():
            # After the round: how long the outbox relay took to hand the backlog to Workflows.
            r["handoff_backlog_drained_after_s"] = int(drain)
        pg0, pg1 = read(base + ".pg0"), read(base + ".pg1")
        if pg0 and pg1 and pg0.strip().isdigit() and pg1.strip().isdigit():
            r["ingestdb_transactions"] = int(pg1) - int(pg0)
        rounds.append(r)
    if not rounds:
        return None

    duration = sum(r["duration_s"] for r in rounds)
    ok = sum(r["requests"] - r["non_2xx"] for r in rounds)
    sat = {
        "requests_per_second": round(ok / duration, 1),
        "rounds": rounds,
        "latency_ms": {"p50": round(sum(r["latency_ms"]["p50"] for r in rounds) / len(rounds), 3),
                       "p99": max(r["latency_ms"]["p99"] for r in rounds)},
        "non_2xx": sum(r["non_2xx"] for r in rounds),
        "counted": "requests answered 200 per second over both rounds; p50 is the rounds' mean, p99 the worse round's",
    }
    result = {"saturation": sat}

    cpu = {}
    for r in rounds:
        for k, v in r.get("cpu_seconds", {}).items():
            cpu[k] = round(cpu.get(k, 0) + v, 2)
    if cpu:
        own = sum(cpu.get(g, 0) for g in OWN_GROUPS[name])
        result["cpu_profile_during_saturation"] = {
            "cores_busy_by_process": {k: round(v / duration, 2) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
            "target_cpu_ms_per_acknowledged_request": round(own * 1000 / ok, 3) if ok else None,
            "target_processes": OWN_GROUPS[name],
            "note": "CPU of this run's processes only (neighbours excluded); cores_busy is CPU seconds over wall seconds of saturation",
        }
    commits = sum(r.get("ingestdb_transactions", 0) for r in rounds)
    if commits:
        result["postgres_during_saturation"] = {
            "ingestdb_transactions": commits,
            "requests_acknowledged": ok,
            "acknowledged_requests_per_transaction": round(ok / commits, 1),
            "note": "transactions include the outbox relay's, so this understates the group-commit batch size",
        }

    report = read(f"{name}.latency.json")
    if report:
        load_m = json.loads(report).get("load") or {}
        result["at_fixed_rate"] = {
            "target_rate": load_m.get("target_rate"),
            "achieved_rate": load_m.get("achieved_rate"),
            "requests": load_m.get("requests"),
            "not_ok": load_m.get("not_ok"),
            "latency_ms": load_m.get("latency_from_schedule_ms"),
            "service_latency_ms": load_m.get("service_latency_ms"),
            "generator": "flexype-simulator load (open loop; latency from each request's due time)",
        }
        cpu = read(f"{name}.fixed.cpu.json")
        if cpu:
            # Every process still running at the end, this target's or not (not the load generator, gone by then).
            result["at_fixed_rate"]["cpu_seconds_every_process"] = json.loads(cpu)
    events = read(f"{name}.events")
    if events and events.strip().isdigit():
        result["events_stored_total"] = int(events)
    cmdline = read(f"{name}.cmdline")
    if cmdline:
        result["process"] = cmdline.strip()
    return result


def ratio(a, b):
    return round(a / b, 3) if a and b else None


apphost, reference, ceiling = target("ingest"), target("reference"), target("aspnet_ceiling")
deployed = target("ingest_deployed")
# The reference made durable (bench/reference/durable.js, its own Postgres) and ours deployed with Workflows paused
# (SIGSTOP during its rounds: as when Workflows runs on other machines).
durable_ref, alone = target("reference_durable"), target("ingest_alone")
# The goals are judged on ours as deployed; runs from before that target existed judged the AppHost.
ingest = deployed or apphost


def rps(t):
    return t and t["saturation"]["requests_per_second"]


def fixed(t, key):
    return t and t.get("at_fixed_rate", {}).get("latency_ms", {}) and t["at_fixed_rate"]["latency_ms"].get(key)


ingest_fig = dict(ingest or {})
ingest_fig["ratio_vs_reference"] = ratio(rps(ingest), rps(reference))
ingest_fig["ratio_vs_aspnet_ceiling"] = ratio(rps(ingest), rps(ceiling))
ingest_fig["reference_ratio_vs_aspnet_ceiling"] = ratio(rps(reference), rps(ceiling))
ingest_fig["ratio_vs_durable_reference"] = ratio(rps(ingest), rps(durable_ref))
ingest_fig["durable_reference_ratio_vs_reference"] = ratio(rps(durable_ref), rps(reference))
if alone:
    ingest_fig["downstream_elsewhere"] = {
        "what": ("ours as deployed with Workflows paused (SIGSTOP) during its saturation rounds and its fixed-rate run, as "
                 "when Workflows runs on other machines: Ingest, its Postgres commit and Redis on the two cores, the "
                 "hand-offs waiting in the outbox until Workflows resumes (the drain after each round)"),
        **alone,
        "ratio_vs_reference": ratio(rps(alone), rps(reference)),
        "ratio_vs_durable_reference": ratio(rps(alone), rps(durable_ref)),
        "p99_ms_at_1000": fixed(alone, "p99") or None,
    }
if deployed:
    ingest_fig["what"] = ("ours as deployed (bench/deployed.sh): Ingest, Workflows and Notifier each their own process from the "
                          "Release build, Production environment, Postgres and Redis; traces sampled (parentbased_traceidratio "
                          "0.1) and traces, metrics and logs exported over OTLP/HTTP to a sink whose CPU is counted as ours")
alone_report = read("ingest_alone.latency.json")
if deployed and alone_report:
    load_a = json.loads(alone_report).get("load") or {}
    ingest_fig["diagnostic_with_workflows_paused_at_fixed_rate"] = {
        "what": ("not a goal figure: the deployed Ingest at the same fixed rate while Workflows is paused (SIGSTOP), as when "
                 "Workflows runs on other machines; the hand-offs wait in the outbox and are taken once it resumes"),
        "achieved_rate": load_a.get("achieved_rate"), "not_ok": load_a.get("not_ok"),
        "latency_ms": load_a.get("latency_from_schedule_ms"), "service_latency_ms": load_a.get("service_latency_ms"),
    }
if deployed and apphost:
    apphost["what"] = ("not a goal figure: ours under the AppHost as `dotnet run` starts it for development, DCP capturing "
                       "every console line and the dashboard receiving every span, metric and log (no sampling)")
    apphost["ratio_vs_reference"] = ratio(rps(apphost), rps(reference))
    apphost["ratio_vs_deployed"] = ratio(rps(apphost), rps(deployed))
    ingest_fig["under_the_apphost"] = apphost

p99_1000 = fixed(ingest, "p99") or None
elsewhere = ingest_fig.get("downstream_elsewhere") or {}
goals = [
    {"goal": "ingest, Workflows elsewhere: throughput at least 1.0x the in-memory reference's, while durable",
     "figure": elsewhere.get("ratio_vs_reference"), "target": ">= 1.0",
     "met": None if elsewhere.get("ratio_vs_reference") is None else elsewhere["ratio_vs_reference"] >= 1.0},
    {"goal": "ingest, whole stack on the two cores: throughput at least 2.0x the durable reference's",
     "figure": ingest_fig["ratio_vs_durable_reference"], "target": ">= 2.0",
     "met": None if ingest_fig["ratio_vs_durable_reference"] is None else ingest_fig["ratio_vs_durable_reference"] >= 2.0},
    {"goal": "ingest, Workflows elsewhere: p99 under 25 ms at 1,000 req/s",
     "figure": elsewhere.get("p99_ms_at_1000"), "target": "< 25 ms",
     "met": None if elsewhere.get("p99_ms_at_1000") is None else
            (elsewhere["p99_ms_at_1000"] < 25 and (elsewhere.get("at_fixed_rate") or {}).get("not_ok") == 0)},
    {"goal": "ingest throughput at least 1.0x the reference handler's, while durable",
     "figure": ingest_fig["ratio_vs_reference"], "target": ">= 1.0",
     "met": None if ingest_fig["ratio_vs_reference"] is None else ingest_fig["ratio_vs_reference"] >= 1.0},
    {"goal": "ingest p99 under 25 ms at 1,000 req/s",
     "figure": p99_1000, "target": "< 25 ms",
     "met": None if p99_1000 is None else (p99_1000 < 25 and (ingest or {}).get("at_fixed_rate", {}).get("not_ok") == 0)},
    {"goal": "pipeline: at least 2,000 events/s taken into Workflows with the hand-off backlog flat", "figure": None,
     "target": ">= 2,000/s", "met": None, "status": "not measured yet: bench/pipeline.sh"},
    {"goal": "end-to-end p50 under 1 s", "figure": None, "target": "< 1 s", "met": None, "status": NOT_YET},
    {"goal": "1,000 due steps/s with firing lateness p99 under 1 s", "figure": None, "target": "< 1 s", "met": None, "status": NOT_YET},
    {"goal": "pooled sending at least 5x per-connection", "figure": None, "target": ">= 5x", "met": None, "status": NOT_YET},
]

def cpu_ms(t):
    return t and t.get("cpu_profile_during_saturation", {}).get("target_cpu_ms_per_acknowledged_request")


evidence = {
    "cpu_ms_per_acknowledged_request": {"ours": cpu_ms(ingest), "reference": cpu_ms(reference),
                                        "reference_durable": cpu_ms(durable_ref), "aspnet_ceiling": cpu_ms(ceiling)},
    "ours_cores_busy_by_process": (ingest or {}).get("cpu_profile_during_saturation", {}).get("cores_busy_by_process"),
    "ours_acknowledged_requests_per_ingestdb_transaction": (ingest or {}).get("postgres_during_saturation", {}).get("acknowledged_requests_per_transaction"),
    "ours_service_latency_ms_at_fixed_rate": (ingest or {}).get("at_fixed_rate", {}).get("service_latency_ms"),
    "loadavg_before_rounds": {n: [r["loadavg_before"][0] for r in t["saturation"]["rounds"]]
                              for n, t in (("ours", ingest), ("reference", reference), ("reference_durable", durable_ref),
                                           ("aspnet_ceiling", ceiling)) if t},
    "analysis": "bench/README.md, section 'Ingest misses its goals: what the profile shows'",
}
for g in goals[:5]:
    if g["met"] is False:
        g["evidence"] = evidence

latest = {
    # When the measurements ended (the last wrk output), not when this summary was written.
    "date": datetime.fromtimestamp(max((os.path.getmtime(os.path.join(raw, f)) for f in os.listdir(raw) if f.endswith(".wrk")),
                                       default=datetime.now().timestamp()), timezone.utc).isoformat(timespec="seconds"),
    "machine": machine(),
    "method": {
        "saturation": "two rounds per target in the order ceiling, reference, durable reference, ours deployed, ours deployed "
                      "with Workflows paused, ours under the AppHost, and back in the reverse order, each "
                      "wrk -t{t} -c{c} -d{d}s with bench/wrk/webhooks.lua: the simulator's mixed payload mix (every version, "
                      "journey proportions), a new X-Event-Id per request; one target at a time (the others up and idle), after a warm-up".format(
                          t=os.environ.get("WRK_THREADS", "2"), c=os.environ.get("WRK_CONNECTIONS", "32"),
                          d=os.environ.get("SATURATION_SECONDS", "15")),
        "fixed_rate": "flexype-simulator load --rate {r} --duration {d} --concurrency 64, same payload mix, same for every target".format(
            r=os.environ.get("LATENCY_RATE", "1000"), d=os.environ.get("LATENCY_SECONDS", "20")),
        "ours": ("as deployed (bench/deployed.sh, the goal figures): each service its own Release process, Postgres, Redis, "
                 "traces sampled at 0.1, all telemetry exported over OTLP to a sink; and, for comparison, the whole AppHost in "
                 "Release (DCP, dashboard, every span) as `dotnet run` starts it") if deployed else
                "the whole AppHost in Release, local Postgres and Redis, telemetry to the dashboard, as `dotnet run` starts it",
        "reference": "bench/reference/server.js: Express, express.json(), in-memory Set, acknowledges before storing (not durable)",
        "reference_durable": ("bench/reference/durable.js (bench/reference/durable.sh): the same Express handler made durable, "
                              "node-postgres pool of 32, one INSERT … ON CONFLICT (event_id) DO NOTHING per request before the "
                              "200, its own Postgres started as deployed.sh starts ours (max_connections 300, defaults otherwise)"),
        "ingest_downstream_elsewhere": "ours as deployed with Workflows paused (SIGSTOP) during its rounds",
        "aspnet_ceiling": "bench/AspNetCeiling: a minimal API endpoint that answers 200 and does nothing else",
        "throughput_counted": "requests answered 200 per second (non-2xx answers are not counted)",
    },
    "ingest": ingest_fig,
    "reference": reference,
    "reference_durable": durable_ref,
    "aspnet_ceiling": ceiling,
    "end_to_end": {"status": NOT_YET, "p50_ms": None, "p99_ms": None},
    "scheduling": {"status": NOT_YET, "active_enrollments": 100000, "lateness_p50_ms": None, "lateness_p99_ms": None,
                   "max_rate_with_p99_under_1s": None, "workflows_memory_mb": None,
                   "quartz_reference_firings_per_second": "85 to 98 (one persistent trigger per job, PostgreSQL; quartznet issues 3824, 3827)"},
    "sending": {"status": NOT_YET, "pooled_messages_per_second": None, "per_connection_messages_per_second": None, "ratio": None},
    "goals": goals,
}

os.makedirs(os.path.dirname(latest_path), exist_ok=True)
with open(latest_path, "w") as f:
    json.dump(latest, f, indent=2)
    f.write("\n")


# --- the README table -------------------------------------------------------------------------------------------------
def cell(v, unit=""):
    return "–" if v is None else f"{v:,}{unit}" if isinstance(v, (int, float)) else str(v)


def row(label, t):
    if not t:
        return f"| {label} | – | – | – | – | – | – |"
    s, f = t["saturation"], t.get("at_fixed_rate", {})
    lat = f.get("latency_ms") or {}
    cpu = t.get("cpu_profile_during_saturation", {}).get("target_cpu_ms_per_acknowledged_request")
    return (f"| {label} | {cell(s['requests_per_second'])} | {cell(s['latency_ms']['p99'], ' ms')} | {cell(cpu, ' ms')} | "
            f"{cell(lat.get('p50'), ' ms')} | {cell(lat.get('p99'), ' ms')} | {cell(f.get('not_ok'))} / {cell(s['non_2xx'])} |")


def met(g):
    return "not measured yet" if g["met"] is None else ("**met**" if g["met"] else "**missed**")


m = latest["machine"]
lines = [
    f"Run {latest['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB), .NET {m['dotnet']}, Node.js {m['node']}, PostgreSQL {m['postgres']}.",
    "",
    "| ingest target | req/s at saturation (200s) | p99 at saturation | CPU per request (all its processes) | p50 at 1,000 req/s | p99 at 1,000 req/s | non-200 (fixed rate / saturation) |",
    "|---|---|---|---|---|---|---|",
    *([row("**ours, deployed** (durable: Postgres commit + Redis before 200; bench/deployed.sh)", deployed),
       row("ours under the AppHost (`dotnet run`: DCP and the dashboard take every log and span; not a goal figure)", apphost)]
      if deployed else [row("**ours** (durable: Postgres commit + Redis before 200)", ingest)]),
    *([row("ours, deployed, Workflows paused (as when it runs elsewhere; the hand-offs wait in the outbox)", alone)] if alone else []),
    row("reference handler (Node.js + Express, in memory)", reference),
    *([row("reference made durable (Express + node-postgres, one `INSERT … ON CONFLICT DO NOTHING` per request, pool 32)", durable_ref)]
      if durable_ref else []),
    row("ASP.NET Core empty endpoint (ceiling)", ceiling),
    "",
    f"Ratios (throughput): ours / reference = **{cell(ingest_fig['ratio_vs_reference'])}**, "
    f"ours / ASP.NET ceiling = **{cell(ingest_fig['ratio_vs_aspnet_ceiling'])}**, "
    f"reference / ASP.NET ceiling = {cell(ingest_fig['reference_ratio_vs_aspnet_ceiling'])}"
    + (f"; ours under the AppHost / reference = {cell(apphost['ratio_vs_reference'])}" if deployed and apphost else "")
    + (f"; ours / durable reference = **{cell(ingest_fig['ratio_vs_durable_reference'])}**, durable reference / reference = "
       f"{cell(ingest_fig['durable_reference_ratio_vs_reference'])}" if durable_ref else "")
    + (f"; ours with Workflows paused / reference = **{cell(elsewhere.get('ratio_vs_reference'))}**, / durable reference = "
       f"{cell(elsewhere.get('ratio_vs_durable_reference'))}" if alone else "") + ".",
    "",
    "1-minute load average before each saturation round: " + ", ".join(
        f"{n} {'/'.join(r['loadavg_before'][0] for r in t['saturation']['rounds'])}"
        for n, t in (("ours deployed", deployed), ("ours with Workflows paused", alone), ("ours under the AppHost", apphost),
                     ("reference", reference), ("durable reference", durable_ref), ("ceiling", ceiling)) if t) +
    " (on 2 cores; anything above 2 is other work competing for the CPU, so compare the ratios).",
    "",
    "| goal | figure | target | result |",
    "|---|---|---|---|",
]
for g in goals:
    lines.append(f"| {g['goal']} | {cell(g['figure'])} | {g['target']} | {met(g)} |")
lines += [
    "",
    "| not measured yet | why |",
    "|---|---|",
    "| 2. end to end (webhook to email accepted by the SMTP sink, zero-delay step): p50, p99 | needs Workflows/Notifier |",
    "| 3. scheduling at scale (100,000 enrollments, 1,000 due steps/s, lateness p50/p99, highest rate with p99 < 1 s, Workflows memory) | needs Workflows |",
    "| 4. sending (messages/s to a local SMTP server, pooled vs a connection per message) | needs Notifier |",
]
cpu = (ingest or {}).get("cpu_profile_during_saturation", {}).get("cores_busy_by_process")
if cpu:
    lines += ["", "Where the two cores went while ours was saturated (cores busy, by process): " +
              ", ".join(f"{k} {v}" for k, v in cpu.items() if v >= 0.01) + "."]
if deployed and apphost and apphost.get("cpu_profile_during_saturation"):
    ac = apphost["cpu_profile_during_saturation"]
    lines += [f"Under the AppHost: {cell(rps(apphost))} req/s, {cell(ac['target_cpu_ms_per_acknowledged_request'])} ms CPU per request; "
              "cores busy: " + ", ".join(f"{k} {v}" for k, v in ac["cores_busy_by_process"].items() if v >= 0.01) + "."]
diag = ingest_fig.get("diagnostic_with_workflows_paused_at_fixed_rate")
if diag and diag.get("latency_ms"):
    lines += [f"Diagnostic: the deployed Ingest at {os.environ.get('LATENCY_RATE', '1000')} req/s with Workflows paused (as when it runs "
              f"on other machines; the hand-offs wait in the outbox): p50 {cell(diag['latency_ms'].get('p50'), ' ms')}, "
              f"p99 **{cell(diag['latency_ms'].get('p99'), ' ms')}**, {cell(diag.get('not_ok'))} non-200."]
drains = {n: [r["handoff_backlog_drained_after_s"] for r in t["saturation"]["rounds"] if "handoff_backlog_drained_after_s" in r]
          for n, t in (("deployed", deployed), ("deployed, Workflows paused", alone), ("under the AppHost", apphost)) if t}
if any(drains.values()):
    lines += ["Seconds after each saturation round until Workflows had taken every event handed off (before the next round "
              "started): " + "; ".join(f"{n} {', '.join(map(str, v))}" for n, v in drains.items() if v) + "."]
pg = (ingest or {}).get("postgres_during_saturation")
if pg and pg.get("acknowledged_requests_per_transaction"):
    lines += [f"Group commit at saturation: {pg['requests_acknowledged']:,} acknowledged deliveries in {pg['ingestdb_transactions']:,} "
              f"ingestdb transactions ({pg['acknowledged_requests_per_transaction']} per transaction, outbox work included)."]

table = "\n".join(lines)
with open(readme_path) as f:
    readme = f.read()
start, end = "<!-- results:start -->", "<!-- results:end -->"
if start in readme and end in readme:
    readme = readme[:readme.index(start) + len(start)] + "\n" + table + "\n" + readme[readme.index(end):]
    with open(readme_path, "w") as f:
        f.write(readme)
print(table)
