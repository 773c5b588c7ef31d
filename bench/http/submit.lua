-- wrk script: POSTs the prepared submission body (BODY_FILE) to /api/submissions.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
