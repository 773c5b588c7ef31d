-- The generic jobs API (seeds 001–003): one row per request a client made (`api_jobs`), one
-- per output it asked for (`api_job_outputs`, each persisted and retried on its own), every
-- outbound webhook attempt (`webhook_deliveries`), and the providers' recent health
-- (`provider_health`, behind the circuit breaker). Keyless seed clients act as the built-in
-- `anonymous` key, whose hash no token can match.

alter table api_keys add column webhook_secret text;

insert into api_keys (id, name, secret_hash, is_admin, requests_per_minute, jobs_per_day, created_at)
values ('anonymous', 'keyless seed clients (JOBS_ANONYMOUS_ACCESS)', 'none', 0, 120, null, 0);

create table api_jobs (
    number            bigserial primary key,
    id                text not null unique,
    key_id            text not null,
    user_id           text,
    kind              text not null,
    model             text not null,
    prompt            text not null,
    parameters        text not null,
    num_outputs       integer not null,
    seed              bigint,
    output_format     text not null,
    priority          text not null,
    max_retries       integer not null,
    metadata          text not null,
    webhook_url       text,
    webhook_events    text,
    dialect           text not null,
    status            text not null,
    stage             text not null,
    progress          integer not null default 0,
    attempts          integer not null default 0,
    provider          text,
    prediction_id     text,
    error_code        text,
    error_message     text,
    idempotency_key   text,
    request_hash      text,
    created_at        bigint not null,
    updated_at        bigint not null,
    started_at        bigint,
    completed_at      bigint
);
create unique index api_jobs_idempotency on api_jobs (key_id, idempotency_key);
create index api_jobs_by_key on api_jobs (key_id, number);
create index api_jobs_by_status on api_jobs (status, number);

create table api_job_outputs (
    job_id            text not null,
    idx               integer not null,
    status            text not null,
    source_url        text not null,
    object_key        text,
    content_type      text,
    size_bytes        bigint,
    sha256            text,
    error_message     text,
    attempts          integer not null default 0,
    stored_at         bigint,
    primary key (job_id, idx)
);

create table webhook_deliveries (
    id                text primary key,
    event_id          text not null,
    job_id            text not null,
    event_type        text not null,
    attempt           integer not null,
    url               text not null,
    status_code       integer,
    error             text,
    duration_ms       bigint not null,
    delivered         integer not null,
    at                bigint not null
);
create index webhook_deliveries_by_job on webhook_deliveries (job_id, at);

create table provider_health (
    provider              text primary key,
    status                text not null,
    consecutive_failures  integer not null default 0,
    total_successes       bigint not null default 0,
    total_failures        bigint not null default 0,
    avg_response_ms       double precision,
    last_error            text,
    last_checked_at       bigint,
    open_until            bigint,
    cost_per_request      double precision
);
