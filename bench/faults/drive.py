"""Fault benchmark driver: for each backend and scenario, starts a fresh fake provider and a
`serenade serve` (web + workers), sets the scenario through the fake's control API, submits N
forms at once, waits until every submission is terminal, and reports what the money path did:
successes, failures (all must be provider FAILUREs), the provider's max generations in flight,
songs billed beyond one each, resends recorded as possible duplicates, and the drain time
against the fault-free run of the same invocation."""

import base64, concurrent.futures, json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, time, urllib.request

binary, pg_server = sys.argv[1:3]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
generation = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
only = set(sys.argv[5:])
LIMIT = 10
ADOPTION_WINDOW = 30

def burst(n, **fault):
    return {"count": n, "fault": fault}

# (name, scenario set before submitting, scenario set once all are submitted)
SCENARIOS = [
    ("fault-free", {}, {}),
    ("read outage 30 s", {}, {"read_outage_seconds": 30}),
    ("429 storm, Retry-After 2", {"post_faults": burst(150, kind="status", status=429, retry_after_seconds=2)}, {}),
    ("401 burst on POST", {"post_faults": burst(6, kind="status", status=401)}, {}),
    ("POST hang, webhooks on", {"post_faults": burst(5, kind="accept_then_hang")}, {}),
    ("POST hang, webhooks lost", {"post_faults": burst(5, kind="accept_then_hang"), "drop_webhooks": 1.0}, {}),
    ("504 after create", {"post_faults": burst(5, kind="accept_then_status", status=504)}, {}),
    ("webhooks dup/reordered/5% lost, 2% FAILURE", {"duplicate_webhooks": True, "out_of_order_webhooks": True, "drop_webhooks": 0.05, "fail_ratio": 0.02}, {}),
]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def http(method, url, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return json.loads(text) if text.strip() else None

def wait_ready(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} never answered")

def query(database_url, sql):
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url[len("sqlite://"):]) as connection:
            return connection.execute(sql).fetchall()
    out = subprocess.run(["psql", "-At", "-F", "|", "-d", database_url, "-c", sql], check=True, capture_output=True, text=True).stdout
    return [tuple(None if v == "" else int(v) if v.lstrip("-").isdigit() else v for v in line.split("|")) for line in out.splitlines() if line]

def run_scenario(work, backend, name, before, after):
    slug = "".join(c if c.isalnum() else "-" for c in name)
    if backend == "sqlite":
        database_url = f"sqlite://{work}/{slug}.db"
        db_name = None
    else:
        db_name = f"serenade_bench_faults_{os.getpid()}"
        subprocess.run(["psql", "-q", "-d", pg_server, "-c", f"drop database if exists {db_name} with (force)", "-c", f"create database {db_name}"], check=True)
        database_url = pg_server.rsplit("/", 1)[0] + "/" + db_name
    fake_port, app_port = free_port(), free_port()
    logs = open(f"{work}/{backend}-{slug}.log", "w")
    fake = subprocess.Popen([binary, "fake-sonauto", "--bind", f"127.0.0.1:{fake_port}", "--generation-seconds", str(generation),
                             "--song-seconds", "5", "--initial-credits", "100000000"], stderr=logs)
    env = dict(os.environ, DATABASE_URL=database_url, STORAGE_DIR=f"{work}/{backend}-{slug}-storage", RUST_LOG="warn",
               SONAUTO_API_KEY="fake-sonauto-key", EXTERNAL_API_URL=f"http://127.0.0.1:{fake_port}/v1",
               MEDIA_ALLOWED_HOSTS=f"127.0.0.1:{fake_port}", SUBMISSIONS_PER_IP_PER_HOUR="0", FORM_SUBMIT_RETRY="100000",
               API_REQUEST_TIMEOUT_SECONDS="5", WEBHOOK_TIMEOUT_MINUTES="0.25", RECONCILE_POLL_SECONDS="5",
               RETRY_BACKOFF_SECONDS="2,5,10", ADOPTION_WINDOW_SECONDS=str(ADOPTION_WINDOW), VIDEO_SIZE="240",
               MAX_CONCURRENT_REQUESTS=str(LIMIT), ADMIN_USER="bench", ADMIN_PASSWORD="bench-faults")
    app = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{app_port}"], env=env, stderr=logs)
    try:
        base, fake_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{fake_port}"
        wait_ready(base + "/readyz")
        wait_ready(fake_base + "/_fake/stats")
        if before:
            http("POST", fake_base + "/_fake/scenario", before)
        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda _: http("POST", base + "/api/submissions", FORM), range(count)))
        if after:
            http("POST", fake_base + "/_fake/scenario", after)
        while True:
            (done,), = query(database_url, "select count(*) from submissions where entry_status in ('success', 'fail')")
            if done >= count:
                break
            if time.time() - started > 3600:
                raise SystemExit(f"{name}: {count - done} never finished")
            time.sleep(0.5)
        drain = time.time() - started
        stats = http("GET", fake_base + "/_fake/stats")
        (succeeded, failed, provider_failed, resends), = query(database_url,
            "select sum(case when entry_status = 'success' then 1 else 0 end), sum(case when entry_status = 'fail' then 1 else 0 end), "
            "sum(case when entry_status = 'fail' and llm_status = 'fail' then 1 else 0 end), sum(possible_duplicate_posts) from submissions")
        return {"scenario": name, "succeeded": succeeded, "failed": failed, "failed_not_by_provider": failed - provider_failed,
                "provider_failures": stats["failed"], "max_in_flight": stats["max_in_flight"],
                "billed_beyond_one": stats["accepted"] - count, "recorded_resends": resends, "drain_seconds": round(drain, 1)}
    finally:
        for process in (app, fake):
            process.terminate()
        for process in (app, fake):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if db_name:
            subprocess.run(["psql", "-q", "-d", pg_server, "-c", f"drop database if exists {db_name} with (force)"], check=False)

work = tempfile.mkdtemp(prefix="serenade-bench-faults-")
subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=600x600", "-frames:v", "1", "-q:v", "3", f"{work}/photo.jpg"], check=True)
FORM = {"pet_name": "Toby", "pet_type": "Dog", "music_vibe": "Romantic", "owner_name": "Matt",
        "photo": "data:image/jpeg;base64," + base64.b64encode(open(f"{work}/photo.jpg", "rb").read()).decode()}

backends = ["sqlite"]
if subprocess.run(["pg_isready", "-q", "-d", pg_server]).returncode == 0:
    backends.append("postgres")
# BENCH_BACKENDS=sqlite (or postgres) runs one; two invocations can then run side by side.
backends = [b for b in backends if b in os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")]
print(f"{count} submissions, {generation:g} s generations, provider limit {LIMIT}, adoption window {ADOPTION_WINDOW} s")
header = "| backend | scenario | succeeded | failed (not by provider) | provider FAILUREs | max in flight | billed beyond one | recorded resends | drain | drain / fault-free |"
print(header)
print("|" + "---|" * (header.count("|") - 1))
for backend in backends:
    baseline = None
    for name, before, after in SCENARIOS:
        if only and name != "fault-free" and not any(word in name for word in only):
            continue
        result = run_scenario(work, backend, name, before, after)
        baseline = baseline or result["drain_seconds"]
        print(f"| {backend} | {name} | {result['succeeded']} | {result['failed']} ({result['failed_not_by_provider']}) | "
              f"{result['provider_failures']} | {result['max_in_flight']} | {result['billed_beyond_one']} | {result['recorded_resends']} | "
              f"{result['drain_seconds']} s | {result['drain_seconds'] / baseline:.2f} |", flush=True)
shutil.rmtree(work, ignore_errors=True)
