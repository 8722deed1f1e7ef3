-- Small documents written by one replica at a time (the holder of an advisory lock named after
-- the document) and read by all: the notifier's state.
CREATE TABLE shared_documents (
    name       text PRIMARY KEY,
    body       bytea NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
