#!/usr/bin/env python3
"""CPU seconds used per group of processes since a snapshot: the coarse profile of where a benchmark's two cores went.

  cpu_sample.py snap FILE          write a snapshot of every process's CPU time
  cpu_sample.py diff FILE [ROOT…]  print {group: cpu seconds, ...} used since FILE, as JSON; with ROOTs, only
                                   processes descending from those pids (this benchmark's, not a neighbour's)
  cpu_sample.py roles FILE [ROOT…] the same for Postgres alone, by role: the backends serving connections, each
                                   background process (walwriter, checkpointer, ...), and "exited", the CPU of
                                   processes the postmaster reaped meanwhile (autovacuum workers, ended backends),
                                   which "diff" cannot see: it counts the processes still running at its end ("exited"
                                   is each such process's whole life, so it may include CPU from before FILE)
"""
import json, os, re, sys

TICKS = os.sysconf("SC_CLK_TCK")
GROUPS = [
    ("ingest", re.compile(r"FlexyPe\.Ingest")),
    ("workflows", re.compile(r"FlexyPe\.Workflows")),
    ("notifier", re.compile(r"FlexyPe\.Notifier")),
    ("console", re.compile(r"FlexyPe\.Console")),
    ("apphost", re.compile(r"FlexyPe\.AppHost")),
    ("aspire_dashboard", re.compile(r"Aspire\.Dashboard")),
    ("dcp", re.compile(r"/dcp |dcpctrl|dcpproc")),
    ("postgres", re.compile(r"^postgres|/postgres ")),
    ("redis", re.compile(r"redis-server")),
    ("smtp4dev", re.compile(r"smtp4dev|Rnwood")),
    ("reference_node", re.compile(r"node .*server\.js")),
    ("reference_durable_node", re.compile(r"node .*durable\.js")),
    ("aspnet_ceiling", re.compile(r"AspNetCeiling")),
    ("wrk", re.compile(r"^wrk ")),
    ("simulator", re.compile(r"flexype-simulator")),
    ("otlp_sink", re.compile(r"OtlpSink")),
    ("smtp_sink", re.compile(r"Sending\.dll --sink-only")),
]


def snapshot():
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        reaped = (int(fields[13]) + int(fields[14])) / TICKS
        group = group_of(cmd or stat[stat.index("(") + 1:stat.rindex(")")])
        # Only the group (and a Postgres process's role) is kept, never the command line (it may carry another
        # program's arguments).
        procs[pid] = {"group": group, "cpu": cpu, "reaped": reaped, "start": fields[19], "ppid": fields[1],
                      "role": postgres_role(cmd) if group == "postgres" else None}
    return procs


def group_of(cmd):
    for name, pattern in GROUPS:
        if pattern.search(cmd):
            return name
    return "other"


POSTGRES_ROLES = ("checkpointer", "background writer", "walwriter", "autovacuum launcher", "autovacuum worker",
                  "logical replication launcher", "archiver", "stats collector")


def postgres_role(cmd):
    """A Postgres process's role from its title ("postgres: [cluster: ]walwriter"); a connection's is "backend"."""
    title = cmd.split("postgres: ", 1)[1] if "postgres: " in cmd else ""
    for role in POSTGRES_ROLES:
        if role in title:
            return role
    return "backend" if title else "postmaster"


def main():
    action, path = sys.argv[1], sys.argv[2]
    if action == "snap":
        with open(path, "w") as f:
            json.dump(snapshot(), f)
        return
    with open(path) as f:
        before = json.load(f)
    now = snapshot()
    roots = set(sys.argv[3:])

    def descends(pid):
        seen = 0
        while pid in now and seen < 64:
            if pid in roots:
                return True
            pid, seen = now[pid]["ppid"], seen + 1
        return False

    used = {}
    for pid, p in now.items():
        if roots and not descends(pid):
            continue
        base = before.get(pid)
        same = base and base["start"] == p["start"]
        if action == "roles":
            if p["group"] != "postgres":
                continue
            key, delta = p["role"], p["cpu"] - (base["cpu"] if same else 0.0)
            reaped = p.get("reaped", 0.0) - (base.get("reaped", 0.0) if same else 0.0)
            if reaped > 0:
                used["exited"] = round(used.get("exited", 0.0) + reaped, 2)
        else:
            key, delta = p["group"], p["cpu"] - (base["cpu"] if same else 0.0)
        if delta > 0:
            used[key] = round(used.get(key, 0.0) + delta, 2)
    print(json.dumps(dict(sorted(used.items(), key=lambda kv: -kv[1]))))


if __name__ == "__main__":
    main()
