-- The durable pipeline: the job queue (leases, fenced completion, persisted backoff), the
-- provider concurrency slots, the webhook inbox and the provider credit balance.

alter table submissions add column send_started_at bigint;
alter table submissions add column files_deleted_at bigint;

create table jobs (
    id               text primary key,
    kind             text not null,
    lane             text not null,
    submission_id    text references submissions (session_id),
    state            text not null default 'available'
        check (state in ('available', 'running', 'completed', 'discarded', 'cancelled')),
    run_at           bigint not null,
    attempt          integer not null default 0,
    max_attempts     integer not null,
    claim_token      text,
    lease_owner      text,
    lease_expires_at bigint,
    errors           text not null default '[]',
    unique_key       text,
    periodic_key     text,
    created_at       bigint not null,
    updated_at       bigint not null,
    finalized_at     bigint
);

create unique index jobs_live_unique_key on jobs (unique_key)
    where unique_key is not null and state in ('available', 'running');
create unique index jobs_periodic_key on jobs (periodic_key) where periodic_key is not null;
create index jobs_claimable on jobs (lane, state, run_at);
create index jobs_leases on jobs (state, lease_expires_at);
create index jobs_submission on jobs (submission_id);

create table provider_slots (
    slot_no              integer primary key,
    holder_submission_id text unique references submissions (session_id),
    lease_expires_at     bigint,
    created_at           bigint not null,
    updated_at           bigint not null
);

create table provider_events (
    id               text primary key,
    submission_id    text not null references submissions (session_id),
    provider_task_id text,
    status           text not null,
    body             text,
    created_at       bigint not null,
    updated_at       bigint not null
);

create unique index provider_events_once on provider_events (submission_id, status);

create table provider_credits (
    id               integer primary key check (id = 1),
    num_credits      bigint not null,
    num_credits_payg bigint not null,
    checked_at       bigint not null,
    created_at       bigint not null,
    updated_at       bigint not null
);
