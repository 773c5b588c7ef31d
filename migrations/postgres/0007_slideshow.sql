-- Slideshow videos (seed 004): images uploaded ahead of a job, kept as temporary uploads
-- that expire after 24 hours unless a job uses them (`job_id`).

create table uploads (
    id            text primary key,
    key_id        text not null,
    object_key    text not null,
    width         integer not null,
    height        integer not null,
    size_bytes    bigint not null,
    created_at    bigint not null,
    expires_at    bigint not null,
    job_id        text
);
create index uploads_by_key on uploads (key_id, created_at);
create index uploads_expiry on uploads (expires_at);
