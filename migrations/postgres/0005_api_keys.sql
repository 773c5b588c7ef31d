-- API keys of the generic jobs API: stored as a SHA-256 of the key (the key itself is shown
-- once, at creation), with a per-key request rate and daily job quota; revoked keys stay
-- for the record.

create table api_keys (
    id                    text primary key,
    name                  text not null,
    secret_hash           text not null unique,
    is_admin              integer not null default 0,
    requests_per_minute   integer not null,
    jobs_per_day          integer,
    created_at            bigint not null,
    revoked_at            bigint,
    last_used_at          bigint
);
