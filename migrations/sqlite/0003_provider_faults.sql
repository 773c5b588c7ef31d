-- Account-level provider refusals (401/403) pause dispatch for every process until a probe
-- succeeds; a POST resent after its adoption window may have billed twice, and is counted.

create table provider_pause (
    id            integer primary key check (id = 1),
    reason        text not null,
    detail        text not null,
    since         bigint not null,
    next_probe_at bigint not null,
    created_at    bigint not null,
    updated_at    bigint not null
);

alter table submissions add column possible_duplicate_posts integer not null default 0;
