-- The job engine knows no workflow: a job names its queue, carries a JSON payload and an
-- opaque owner reference (`song:<session id>`) instead of a foreign key to submissions, and
-- has a priority. Rows are changed in place — queued, running (lease and claim token kept:
-- once the lease lapses any new worker rescues it) and backing off alike — so work in flight
-- during the upgrade runs to completion. Stop the old release's workers before migrating:
-- their statements name the old columns and would fail and roll back.

alter table jobs rename column lane to queue;
alter table jobs add column payload text not null default '{}';
alter table jobs add column owner text;
alter table jobs add column priority integer not null default 0;

update jobs set
    payload = json_build_object('submission_id', submission_id)::text,
    owner = 'song:' || submission_id
where submission_id is not null;

drop index jobs_claimable;
drop index jobs_submission;
alter table jobs drop column submission_id;

create index jobs_claimable on jobs (queue, state, priority, run_at);
create index jobs_owner on jobs (owner);
