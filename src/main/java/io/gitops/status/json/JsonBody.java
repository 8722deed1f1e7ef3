package io.gitops.status.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.error.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/** Reads a request body: at most {@link #MAX_BYTES}, exactly one JSON object. */
public final class JsonBody {

    public static final int MAX_BYTES = 1024 * 1024;

    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

    private JsonBody() {
    }

    public static ObjectNode readObject(InputStream in) {
        byte[] bytes = readLimited(in);
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.invalidJson(describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.invalidJson("body is empty; send one JSON object");
        }
        if (!node.isObject()) {
            throw ApiException.invalidJson("body must be a JSON object, not " + node.getNodeType().name().toLowerCase());
        }
        return (ObjectNode) node;
    }

    /** Jackson's message without its class names, with where the parser stopped. */
    private static String describe(JacksonException e) {
        if (e instanceof MismatchedInputException && e.getOriginalMessage().startsWith("Trailing token")) {
            return "body has more content after the JSON object";
        }
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        // Jackson names its (redacted) source inside some messages; keep only line and column.
        String message = SOURCE.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
        return "body is not valid JSON: " + message + where;
    }

    private static byte[] readLimited(InputStream in) {
        try {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw ApiException.payloadTooLarge(MAX_BYTES);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.invalidJson("could not read the body: " + e.getMessage());
        }
    }
}
