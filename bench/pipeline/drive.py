"""Pipeline benchmark driver: submits N forms at once to a running `serenade serve`, waits
until every submission is terminal, and reports dispatch latency and total time against the
ideal ceil(N / slots) x generation + one render. Reads timings from the database (SQLite via
the standard library, PostgreSQL via psql)."""

import base64, concurrent.futures, json, math, os, sqlite3, statistics, subprocess, sys, time, urllib.request

base, database_url, photo, count, slots, generation = sys.argv[1:7]
count, slots, generation = int(count), int(slots), float(generation)

body = json.dumps({
    "pet_name": "Toby", "pet_type": "Dog", "music_vibe": "Romantic", "owner_name": "Matt",
    "photo": "data:image/jpeg;base64," + base64.b64encode(open(photo, "rb").read()).decode(),
}).encode()

def submit(_):
    request = urllib.request.Request(base + "/api/submissions", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["session_id"]

def query(sql):
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url[len("sqlite://"):]) as connection:
            return connection.execute(sql).fetchall()
    out = subprocess.run(["psql", "-At", "-F", "|", "-d", database_url, "-c", sql], check=True, capture_output=True, text=True).stdout
    return [tuple(None if v == "" else int(v) if v.lstrip("-").isdigit() else v for v in line.split("|")) for line in out.splitlines() if line]

started = time.time()
with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
    ids = list(pool.map(submit, range(count)))
submitted = time.time() - started

while True:
    (done,), = query("select count(*) from submissions where entry_status in ('success', 'fail')")
    if done >= count:
        break
    time.sleep(1)

rows = query("select created_at, send_started_at, received_from_llm, video_creation_start, video_creation_end, entry_status from submissions")
failed = sum(1 for row in rows if row[5] != "success")
ok = [row for row in rows if row[5] == "success"]
sends = sorted(row[1] for row in ok)
releases = sorted(row[2] for row in ok)
created = sorted(row[0] for row in ok)
# Dispatch delay: from the moment a POST could happen (submit while a slot was free, or the
# release of the slot it waited for) to the moment it started.
ready_at = created[:slots] + [max(c, r) for c, r in zip(created[slots:], releases[: len(sends) - slots])]
delays = sorted(s - r for s, r in zip(sends, ready_at))
first_wave = sorted(row[1] - row[0] for row in ok if row[1] - row[0] < generation * 500)[:slots]
renders = sorted(row[4] - row[3] for row in ok)
total = (max(row[4] for row in ok) - min(created)) / 1000
one_render = statistics.median(renders) / 1000
ideal = math.ceil(count / slots) * generation + one_render

def pct(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

print(json.dumps({
    "submissions": count, "failed": failed, "submit_seconds": round(submitted, 2),
    "dispatch_delay_ms_p50": pct(delays, 50), "dispatch_delay_ms_p99": pct(delays, 99),
    "first_wave_submit_to_post_ms_p50": pct(first_wave, 50) if first_wave else None,
    "first_wave_submit_to_post_ms_max": max(first_wave) if first_wave else None,
    "median_render_seconds": round(one_render, 2), "total_seconds": round(total, 1),
    "ideal_seconds": round(ideal, 1), "ratio_total_over_ideal": round(total / ideal, 3),
}))
