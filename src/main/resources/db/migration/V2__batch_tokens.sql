-- Every committed batch of writes leaves its revision and a random token that only its writer
-- knows. A writer whose COMMIT was answered with a broken connection looks its token up: the
-- transaction id alone cannot tell, since a server that crashed before that id reached its WAL
-- gives the same id to another transaction after the restart. Rows older than the deletion
-- markers' ten minutes are purged with them.
CREATE TABLE batches (
    revision     bigint PRIMARY KEY,
    token        uuid NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now()
);
