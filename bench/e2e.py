"""Benchmark part 2 driver: N new-customer webhooks (2026-05 CUSTOMER_CREATED, distinct emails) at a fixed rate to
Ingest, then the time from each POST to smtp4dev's receivedDate for the welcome email (a zero-delay step).

    python3 bench/e2e.py --secret S --count 200 --rate 5 --out bench/results/e2e.json
"""
import argparse, json, statistics, sys, threading, time, urllib.request, uuid
from datetime import datetime, timezone

ap = argparse.ArgumentParser()
ap.add_argument("--secret", required=True)
ap.add_argument("--count", type=int, default=200)
ap.add_argument("--rate", type=float, default=5.0)
ap.add_argument("--warmup", type=int, default=10)
ap.add_argument("--ingest", default="http://127.0.0.1:5100/webhooks/flexype")
ap.add_argument("--smtp4dev", default="http://127.0.0.1:5400/api/messages?pageSize=5000")
ap.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the last emails after the last POST")
ap.add_argument("--out")
a = ap.parse_args()
run = uuid.uuid4().hex[:8]


def post(i, tag):
    event_id = f"evt_e2e_{run}_{tag}{i}"
    email = f"e2e-{run}-{tag}{i}@example.com"
    body = json.dumps({
        "event_time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "event_type": "CUSTOMER_CREATED",
        "event_id": event_id,
        "store": {"id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com"},
        "payload": {"user": {"email": email, "first_name": f"Bench{i}", "full_name": f"Bench {i}"},
                    "shopify_customer_id": f"gid://shopify/Customer/{run}{i}"}}).encode()
    req = urllib.request.Request(a.ingest, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Flexype-Authorization": a.secret, "X-Event-Id": event_id,
        "X-Webhook-Version": "2026-05"})
    t0 = time.time()
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status = r.status
    except Exception as e:  # noqa: BLE001 - recorded, not fatal
        status = getattr(e, "code", str(e))
    return {"email": email, "posted": t0, "answered": time.time(), "status": status}


def send(n, tag):
    sent, lock, threads = [], threading.Lock(), []
    start = time.time()
    for i in range(n):
        due = start + i / a.rate
        time.sleep(max(0.0, due - time.time()))
        t = threading.Thread(target=lambda i=i: (lambda r: (lock.acquire(), sent.append(r), lock.release()))(post(i, tag)))
        t.start(); threads.append(t)
    for t in threads:
        t.join()
    return sent


def received():
    with urllib.request.urlopen(a.smtp4dev, timeout=10) as r:
        page = json.load(r)
    out = {}
    for m in page.get("results", []):
        when = datetime.fromisoformat(m["receivedDate"].replace("Z", "+00:00")).timestamp()
        for to in m.get("to", []):
            out.setdefault(to.strip("<> ").lower(), when)
    return out


# smtp4dev keeps only its newest 100 messages by default, so what it received is collected while the run goes on.
seen, seen_lock, polling = {}, threading.Lock(), threading.Event()


def poll():
    while not polling.is_set():
        try:
            got = received()
            with seen_lock:
                for k, v in got.items():
                    seen.setdefault(k, v)
        except Exception:  # noqa: BLE001 - the next poll retries
            pass
        polling.wait(0.5)


threading.Thread(target=poll, daemon=True).start()


def wait_for(sent):
    deadline = time.time() + a.wait
    while True:
        with seen_lock:
            got = dict(seen)
        if all(s["email"] in got for s in sent) or time.time() > deadline:
            return got
        time.sleep(0.5)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))] if xs else None


warm = send(a.warmup, "w")
wait_for(warm)
sent = send(a.count, "m")
got = wait_for(sent)
lat = [got[s["email"]] - s["posted"] for s in sent if s["email"] in got]
ack = [s["answered"] - s["posted"] for s in sent]
res = {
    "what": "POST of a 2026-05 CUSTOMER_CREATED webhook to Ingest until smtp4dev received the welcome email (zero-delay step)",
    "count": a.count, "rate_per_second": a.rate, "warmup": a.warmup,
    "non_200": sum(1 for s in sent if s["status"] != 200),
    "received": len(lat), "missing": a.count - len(lat),
    "p50_ms": round(pct(lat, 50) * 1000, 1) if lat else None,
    "p90_ms": round(pct(lat, 90) * 1000, 1) if lat else None,
    "p99_ms": round(pct(lat, 99) * 1000, 1) if lat else None,
    "max_ms": round(max(lat) * 1000, 1) if lat else None,
    "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else None,
    "ingest_ack_p50_ms": round(pct(ack, 50) * 1000, 1), "ingest_ack_p99_ms": round(pct(ack, 99) * 1000, 1),
}
print(json.dumps(res, indent=2))
if a.out:
    json.dump(res, open(a.out, "w"), indent=2)
polling.set()
sys.exit(0 if lat else 1)
