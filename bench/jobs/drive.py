"""Jobs API benchmark driver: creates N image jobs (2 outputs each) on a running
`serenade serve` with an API key, waits until every job has ended, and reports create
requests/s, submit -> provider latency (created_at -> started_at, when the job's prediction
is created), total time against the ideal ceil(N / concurrency) x generation, and the bytes
persisted per second. Reads timings from the database (SQLite via the standard library,
PostgreSQL via psql)."""

import concurrent.futures, json, math, sqlite3, subprocess, sys, time, urllib.request

base, token, database_url, count, concurrency, generation_ms = sys.argv[1:7]
count, concurrency, generation = int(count), int(concurrency), float(generation_ms) / 1000

def create(n):
    body = json.dumps({"kind": "image", "prompt": f"benchmark picture {n}", "num_outputs": 2, "seed": n}).encode()
    request = urllib.request.Request(base + "/api/v1/jobs", data=body,
                                     headers={"content-type": "application/json", "x-api-key": token})
    began = time.time()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, response.status
        json.load(response)
    return time.time() - began

def query(sql):
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url[len("sqlite://"):]) as connection:
            return connection.execute(sql).fetchall()
    out = subprocess.run(["psql", "-At", "-F", "|", "-d", database_url, "-c", sql], check=True, capture_output=True, text=True).stdout
    return [tuple(None if v == "" else int(v) if v.lstrip("-").isdigit() else v for v in line.split("|")) for line in out.splitlines() if line]

def pct(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

started = time.time()
with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
    create_latencies = sorted(pool.map(create, range(count)))
submitted = time.time() - started

deadline = time.time() + 3600
while True:
    (done,), = query("select count(*) from api_jobs where status in ('succeeded', 'failed', 'canceled')")
    if done >= count:
        break
    if time.time() > deadline:
        sys.exit(f"only {done} of {count} jobs ended within an hour")
    time.sleep(1)

rows = query("select created_at, started_at, completed_at, status from api_jobs")
failed = sum(1 for row in rows if row[3] != "succeeded")
ok = [row for row in rows if row[3] == "succeeded"]
dispatch = sorted(row[1] - row[0] for row in ok)
(stored_bytes, stored, first_stored, last_stored), = query(
    "select coalesce(sum(size_bytes), 0), count(*), min(stored_at), max(stored_at) from api_job_outputs where status = 'stored'")
total = (max(row[2] for row in ok) - min(row[0] for row in rows)) / 1000
ideal = math.ceil(count / concurrency) * generation
persist_window = max((last_stored - first_stored) / 1000, 0.001)

print(json.dumps({
    "jobs": count, "failed": failed, "outputs_stored": stored,
    "create_requests_per_second": round(count / submitted, 1),
    "create_latency_ms_p50": round(pct(create_latencies, 50) * 1000, 1),
    "create_latency_ms_p99": round(pct(create_latencies, 99) * 1000, 1),
    "submit_to_provider_ms_p50": pct(dispatch, 50), "submit_to_provider_ms_p99": pct(dispatch, 99),
    "total_seconds": round(total, 1), "ideal_seconds": round(ideal, 1),
    "ratio_total_over_ideal": round(total / ideal, 3),
    "bytes_persisted": stored_bytes,
    "persisted_megabytes_per_second": round(stored_bytes / persist_window / 1e6, 2),
}))
