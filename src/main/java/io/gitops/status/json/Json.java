package io.gitops.status.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.gitops.status.api.StatusRecord;

/**
 * The one {@link ObjectMapper} of the application, shared by the HTTP layer and the store.
 *
 * <p>It is strict on input: duplicate keys and content after the top-level value are errors, and
 * the read constraints are set for our documents rather than left at Jackson's generous defaults,
 * so that hostile bodies fail fast with a parse error instead of costing memory or CPU.
 */
public final class Json {

    /** Our documents nest at most five levels (file, servers, record, list, entry). */
    static final int MAX_NESTING_DEPTH = 32;
    /** Longer than any number we accept, short enough to stop big-number parsing attacks. */
    static final int MAX_NUMBER_LENGTH = 64;
    /** The longest string we store is a 64 KiB validation message; leave room for old files. */
    static final int MAX_STRING_LENGTH = 8 * 1024 * 1024;

    private static final ObjectMapper MAPPER = create();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper create() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
        // What clients see by default; the store asks for the storage view explicitly.
        mapper.setConfig(mapper.getSerializationConfig().withView(StatusRecord.Views.Api.class));
        return mapper;
    }
}
