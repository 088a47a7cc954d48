#!/usr/bin/env python3
"""Shares of a `perf script` call-graph dump of one .NET process (bench/ingest_perf.sh, bench/notifier_perf.sh), for issue 16.

  perf_share.py PERF_SCRIPT WRK_OUTPUT CPU_JSON OUT_JSON            Ingest under wrk (its requests/s from wrk's report)
  perf_share.py PERF_SCRIPT RATE_JSON CPU_JSON OUT_JSON notifier    Notifier sending ({"what": ..., any figures} merged in)

Every sample counts once in each table:
  - where: the kernel (split by the system call or event the sample is under), the runtime's native code, or managed
    code (by the assembly of the innermost managed frame);
  - methods: the innermost managed frame's method (exclusive);
  - libraries: samples with any frame of that library on the stack (inclusive; they overlap).
"""
import collections, datetime, json, re, sys

FRAME = re.compile(r"^\s*[0-9a-f]+ (.*) \((.*)\)$")
MANAGED = re.compile(r"\[([A-Za-z0-9_.]+)\] ")
SYSCALL = re.compile(r"__x64_sys_(\w+)")
# Parts of a request whose inclusive share says what they cost: a frame of the part anywhere on the stack, matched on
# the frame's declaring assembly and method (the text before its parameters, which name other types).
# OpenTelemetry is left out: its ASP.NET Core middleware is on the stack of every request.
LIBRARIES = {
    "Kestrel (HTTP server)": "[Microsoft.AspNetCore.Server.Kestrel",
    "System.Text.Json": "[System.Text.Json] ",
    "Npgsql (Postgres client)": "[Npgsql] ",
    "StackExchange.Redis": "[StackExchange.Redis] ",
    "FlexyPe.Ingest's parser": "Parsing.FlexyPeEventParser::",
    "the group commit (EventWriter)": "Storage.EventWriter",
    "Redis dedupe (DedupeCache)": "Storage.DedupeCache",
    "thread pool waiting for work (LowLevelLifoSemaphore)": "LowLevelLifoSemaphore",
}
NOTIFIER_LIBRARIES = {
    "the sending loop (SendingWorker)": "Sending.SendingWorker",
    "composing the message (MessageComposer)": "Composing.MessageComposer",
    "the HTML's plain-text part (PlainTextRenderer)": "Composing.PlainTextRenderer",
    "AngleSharp (HTML parser)": "[AngleSharp",
    "MimeKit": "[MimeKit] ",
    "MailKit (SMTP client)": "[MailKit] ",
    "EF Core": "[Microsoft.EntityFrameworkCore",
    "Npgsql (Postgres client)": "[Npgsql] ",
    "the delivery events' relay to Workflows (OutboxRelay)": "Outbox.OutboxRelay",
    "logging": "[Microsoft.Extensions.Logging",
    "System.Linq.Expressions": "[System.Linq.Expressions] ",
    "thread pool waiting for work (LowLevelLifoSemaphore)": "LowLevelLifoSemaphore",
}


def samples(path):
    sample = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if sample:
                yield sample
            sample = None
        elif line[0] not in " \t":
            sample = []
        elif sample is not None:
            match = FRAME.match(line)
            if match:
                sample.append((match.group(1), match.group(2)))
    if sample:
        yield sample


def where(stack):
    """The kernel by system call, managed code by assembly, or the native library the sample is in."""
    symbol, library = stack[0]
    if library == "[kernel.kallsyms]":
        calls = [m.group(1) for s, _ in stack if (m := SYSCALL.search(s))]
        return "kernel: " + (calls[0] if calls else "interrupts and scheduling")
    if (m := MANAGED.search(symbol)):
        return "managed: " + m.group(1)
    if library.endswith(".map"):
        return "managed: (the runtime's stubs)"
    return "native: " + library.rsplit("/", 1)[-1]


def main(perf_script, wrk_output, cpu_json, out, profile="ingest"):
    libraries_of = NOTIFIER_LIBRARIES if profile == "notifier" else LIBRARIES
    total = 0
    places, methods, libraries = collections.Counter(), collections.Counter(), collections.Counter()
    for stack in samples(perf_script):
        if not stack:
            continue
        total += 1
        places[where(stack)] += 1
        if MANAGED.search(stack[0][0]):
            methods[re.sub(r"\[(Optimized|OptimizedTier1|QuickJitted|Tier0|Tier1)\].*$", "", stack[0][0])[:200]] += 1
        names = "\n".join(s.split("(", 1)[0] for s, _ in stack)
        for name, pattern in libraries_of.items():
            libraries[name] += pattern in names
    share = lambda counter, top: [{"name": k, "share": round(v / max(1, total), 4)} for k, v in counter.most_common(top)]
    if profile == "notifier":
        figures = json.load(open(wrk_output))
    else:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", open(wrk_output).read()).group(1))
        figures = {"what": "perf samples of Ingest's threads at saturation (wrk -t2 -c32, the payload mix), deployed, "
                           "Workflows paused", "requests_per_second_while_sampled": rps}
    result = {
        **figures,
        "what": figures["what"] + "; each sample counted once per table (libraries overlap: a frame of it anywhere on the stack)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_seconds_by_process": json.load(open(cpu_json)),
        "samples": total,
        "where": share(places, 25),
        "libraries_inclusive": share(libraries, len(libraries_of)),
        "managed_methods_exclusive": share(methods, 25),
    }
    json.dump(result, open(out, "w"), indent=2)
    for key in ("where", "libraries_inclusive", "managed_methods_exclusive"):
        print(f"-- {key}")
        for row in result[key][:15]:
            print(f"{row['share']:7.1%}  {row['name']}")


if __name__ == "__main__":
    main(*sys.argv[1:6])
