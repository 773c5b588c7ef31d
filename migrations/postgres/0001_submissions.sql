-- Submissions (the spec's columns, snake_case), the per-cookie quota, per-IP rate windows and
-- the worker registry used by health checks. Timestamps are unix milliseconds.

create table submissions (
    session_id           text primary key,
    created_at           bigint not null,
    updated_at           bigint not null,
    cookie_id            text not null,
    owner_name           text not null,
    pet_name             text not null,
    pet_type             text not null,
    music_vibe           text not null,
    photo_path           text not null,
    retry_count          integer not null default 0,
    sent_to_llm          bigint,
    llm_task_id          text,
    received_from_llm    bigint,
    llm_response         text,
    llm_full_response    text,
    generated_song_path  text,
    llm_status           text,
    lyrics               text,
    video_creation_start bigint,
    video_creation_end   bigint,
    generated_video_path text,
    entry_status         text not null default 'pending'
        check (entry_status in ('pending', 'processing', 'success', 'fail')),
    provider_status      text,
    webhook_token        text not null,
    error                text
);

create index submissions_cookie_id_idx on submissions (cookie_id);
create unique index submissions_llm_task_id_idx on submissions (llm_task_id)
    where llm_task_id is not null;
create index submissions_entry_status_idx on submissions (entry_status, created_at);

create table cookie_quotas (
    cookie_id  text primary key,
    used       integer not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table rate_limit_windows (
    bucket       text not null,
    client       text not null,
    window_start bigint not null,
    hits         integer not null,
    created_at   bigint not null,
    updated_at   bigint not null,
    primary key (bucket, client, window_start)
);

create table worker_processes (
    worker_id    text primary key,
    role         text not null,
    created_at   bigint not null,
    updated_at   bigint not null
);
