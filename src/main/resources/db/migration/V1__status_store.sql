-- The PostgreSQL store (io.gitops.status.store.postgres). Names compare byte-wise (COLLATE "C"),
-- as the service sorts them.

-- One row: the store's revision, raised by every committed batch of writes under this row's lock,
-- so that revisions commit in order and a replica follows the changes by revision alone.
CREATE TABLE store_state (
    id             integer PRIMARY KEY CHECK (id = 1),
    revision       bigint  NOT NULL,
    -- the highest revision of a deletion marker removed from hosts: a replica behind it reloads whole
    purged_through bigint  NOT NULL
);
INSERT INTO store_state (id, revision, purged_through) VALUES (1, 0, 0);

-- The current record of each host, without its history; record IS NULL marks a deletion until
-- every replica has seen it.
CREATE TABLE hosts (
    server_group text COLLATE "C" NOT NULL,
    host         text COLLATE "C" NOT NULL,
    record       text,
    revision     bigint NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (server_group, host)
);
CREATE INDEX hosts_by_revision ON hosts (revision);

-- Each host's status transitions, the newest historySize of them.
CREATE TABLE transitions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    server_group        text COLLATE "C" NOT NULL,
    host                text COLLATE "C" NOT NULL,
    at                  text NOT NULL,
    -- epoch milliseconds of at; NULL when at is not a timestamp (text kept from an old data file)
    at_ms               bigint,
    -- how many of the host's transitions share at_ms before this one: the events' order
    tie                 integer NOT NULL,
    from_status         text,
    to_status           text,
    source              text,
    commit_sha          text,
    changed_files_count integer NOT NULL,
    revision            bigint NOT NULL
);
CREATE INDEX transitions_by_host ON transitions (server_group, host, id);
CREATE INDEX transitions_by_time ON transitions (at_ms, server_group, host, tie) WHERE at_ms IS NOT NULL;
