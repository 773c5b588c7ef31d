-- The job engine knows no workflow: a job names its queue, carries a JSON payload and an
-- opaque owner reference (`song:<session id>`) instead of a foreign key to submissions, and
-- has a priority. Every row is carried over as it stands — queued, running (its lease and
-- claim token kept: once the lease lapses any new worker rescues it) and backing off — so
-- work in flight during the upgrade runs to completion. Stop the old release's workers before
-- migrating: their statements name the old columns and would fail and roll back. SQLite cannot drop a referencing column in
-- place, so the table is rebuilt (nothing references `jobs`).

create table jobs_engine (
    id               text primary key,
    kind             text not null,
    queue            text not null,
    payload          text not null default '{}',
    owner            text,
    priority         integer not null default 0,
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

insert into jobs_engine (id, kind, queue, payload, owner, priority, state, run_at, attempt,
    max_attempts, claim_token, lease_owner, lease_expires_at, errors, unique_key, periodic_key,
    created_at, updated_at, finalized_at)
select id, kind, lane,
    case when submission_id is null then '{}'
         else json_object('submission_id', submission_id) end,
    case when submission_id is null then null else 'song:' || submission_id end,
    0, state, run_at, attempt, max_attempts, claim_token, lease_owner, lease_expires_at,
    errors, unique_key, periodic_key, created_at, updated_at, finalized_at
from jobs;

drop table jobs;
alter table jobs_engine rename to jobs;

create unique index jobs_live_unique_key on jobs (unique_key)
    where unique_key is not null and state in ('available', 'running');
create unique index jobs_periodic_key on jobs (periodic_key) where periodic_key is not null;
create index jobs_claimable on jobs (queue, state, priority, run_at);
create index jobs_leases on jobs (state, lease_expires_at);
create index jobs_owner on jobs (owner);
