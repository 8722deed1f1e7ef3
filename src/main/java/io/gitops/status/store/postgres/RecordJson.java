package io.gitops.status.store.postgres;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.StoredRecordReader;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A record as the {@code hosts} table holds it: the data file's JSON of the record, without its
 * history, which lives in the {@code transitions} table.
 */
final class RecordJson {

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    private static final ObjectReader READER = Json.mapper().readerFor(StatusRecord.class);

    private RecordJson() {
    }

    static String encode(StatusRecord record) {
        try {
            return WRITER.writeValueAsString(withoutHistory(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StatusRecord decode(String json) {
        try (JsonParser parser = Json.mapper().createParser(json)) {
            parser.nextToken();
            StatusRecord plain = StoredRecordReader.read(parser);
            return plain != null ? plain : READER.readValue(json);
        } catch (IOException e) {
            throw new UncheckedIOException("a record in the database cannot be read: " + e.getMessage(), e);
        }
    }

    /** The record as replicas keep it in memory: history is read from the database when asked for. */
    static StatusRecord withoutHistory(StatusRecord record) {
        return record.history().isEmpty() ? record : record.withWriter(record.writtenByToken(), List.of());
    }
}
