#!/usr/bin/env python3
"""Writes bench/results/console.json's figures as the table between the console markers of bench/README.md."""
import json
import re
import sys

results_path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/console.json"
readme_path = sys.argv[2] if len(sys.argv) > 2 else "bench/README.md"
with open(results_path) as f:
    r = json.load(f)


def ms(value):
    return f"{value:,.0f}"


data = r["data_set"]
lines = [
    f"Run {r['date'][:16].replace('T', ' ')} UTC ({r['machine']}; 1-minute load average {r.get('load_average_before', '?')} before). "
    f"Data set: {data['enrollments']:,} enrollments, {data['scheduled_steps']:,} steps, {data['recoveries']:,} recoveries, "
    f"{data['ingest_events']:,} stored events, {data['messages']:,} messages. "
    f"Goal (every page interactive in under 1 s, p95, with the data set): **{'met' if r['goal_met'] else 'missed'}**.",
    "",
    "| page | shown p50 / p95, empty | shown p50 / p95, loaded | interactive p50 / p95, empty | interactive p50 / p95, loaded | loaded / empty (interactive p50) | under 1 s |",
    "|---|---|---|---|---|---|---|",
]
for p in r["pages"]:
    e, l = p["empty"], p["loaded"]
    lines.append(
        f"| {p['page']} | {ms(e['shown_ms_p50'])} / {ms(e['shown_ms_p95'])} ms | {ms(l['shown_ms_p50'])} / {ms(l['shown_ms_p95'])} ms "
        f"| {ms(e['interactive_ms_p50'])} / {ms(e['interactive_ms_p95'])} ms | {ms(l['interactive_ms_p50'])} / **{ms(l['interactive_ms_p95'])}** ms "
        f"| {p['loaded_over_empty']} | {'yes' if p['under_1s'] else '**no**'} |")
d = r.get("deliveries_index")
if d:
    w, wo = d["page_with_index"], d["page_without_index"]
    lines += ["", f"{d['page']} without `{d['index']}` (the page as it was before the index), same run: interactive p50 / p95 "
              f"{ms(wo['interactive_ms_p50'])} / {ms(wo['interactive_ms_p95'])} ms, with it {ms(w['interactive_ms_p50'])} / "
              f"{ms(w['interactive_ms_p95'])} ms; its list query {d['list_query_without_index']['execution_ms']} ms "
              f"({d['list_query_without_index']['scan']}, {d['list_query_without_index']['shared_buffers_read_and_hit']:,} buffers) "
              f"against {d['list_query_with_index']['execution_ms']} ms ({d['list_query_with_index']['scan']}, "
              f"{d['list_query_with_index']['shared_buffers_read_and_hit']:,} buffers)."]
table = "\n".join(lines)

with open(readme_path) as f:
    readme = f.read()
start, end = "<!-- console:start -->", "<!-- console:end -->"
if start not in readme:
    raise SystemExit(f"{readme_path} has no {start} marker")
readme = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{table}\n{end}", readme, flags=re.S)
with open(readme_path, "w") as f:
    f.write(readme)
print(table)
