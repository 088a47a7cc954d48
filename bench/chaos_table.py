"""Writes the fault suite's table into bench/README.md (between the chaos markers) from bench/results/chaos-latest.json.

    python3 bench/chaos_table.py bench/results/chaos-latest.json bench/README.md   (bench/chaos.sh runs it)
"""
import json, re, sys
path_json, path_readme = sys.argv[1], sys.argv[2]
d = json.load(open(path_json))
rows = ["| replicas | fault | acknowledged (retried to success) | stored | lost | duplicates | steps due | left behind | messages sent | missing | duplicated (in documented window) | after completed | to suppressed (in flight) | cap violations | 5xx ≠ 503 | 503 (without Retry-After) | drained (s) | held |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
def g(f, k): return f.get(k, 0)
lines = []
for run in d["runs"]:
    for f in run["faults"]:
        pg = ""
        if f.get("acknowledged_while_postgres_down") is not None:
            pg = f"; while down: {g(f,'acknowledged_while_postgres_down')} acknowledged, answers " + ", ".join(f"{k}: {v}" for k, v in f.get("answers_while_postgres_down", {}).items())
        rows.append(f"| {run['replicas']} | {f['fault']}{' (' + f['killed'] + ')' if f.get('killed') else ''} | {g(f,'events_acknowledged')} ({g(f,'events_retried_to_success')}) | {g(f,'events_stored')} | {g(f,'lost')} | {g(f,'duplicates')} | {g(f,'steps_due')} | {g(f,'steps_left_behind')} | {g(f,'messages_sent')} | {g(f,'messages_missing')} | {g(f,'messages_duplicated')} ({g(f,'duplicates_in_documented_window')}) | {g(f,'sent_after_completed')} | {g(f,'sent_to_suppressed')} ({g(f,'sent_to_suppressed_in_flight')}) | {g(f,'frequency_cap_violations')} | {g(f,'responses_5xx_other_than_503')} | {g(f,'responses_503')} ({g(f,'responses_503_without_retry_after')}){pg} | {'yes' if f.get('drained') else 'NO'} ({g(f,'drain_seconds')}) | {'yes' if f.get('held') else 'NO'} |")
    w = run.get("duplicate_window")
    if w:
        lines.append(f"- {run['replicas']} process(es), duplicate window injected: accepted {w['acceptances']} times, Notifier recorded `{w.get('notifier_status')}` after {w.get('notifier_attempts')} attempt(s). {w['what_happened']}")
    lines.append(f"- {run['replicas']} process(es), secrets found: " + ("none" if not run.get("secrets_found") else "; ".join(run["secrets_found"])))
runs = d["runs"]
head = f"Last run {runs[0]['started_at'][:16].replace('T',' ')} UTC, {runs[0]['machine']}; every promise held: **{d['held']}**.\n\n"
table = head + "\n".join(rows) + "\n\n" + "\n".join(lines) + "\n"
s = open(path_readme).read()
s = re.sub(r"<!-- chaos:start -->.*?<!-- chaos:end -->", lambda m: "<!-- chaos:start -->\n" + table + "<!-- chaos:end -->", s, flags=re.S)
open(path_readme, "w").write(s)
