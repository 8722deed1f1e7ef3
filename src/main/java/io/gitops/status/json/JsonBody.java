package io.gitops.status.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Reads a request body: at most {@link #MAX_BYTES}, exactly one JSON object. */
public final class JsonBody {

    public static final int MAX_BYTES = 1024 * 1024;

    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

    private JsonBody() {
    }

    public static ObjectNode readObject(InputStream in) {
        String text = decodeUtf8(readLimited(in));
        JsonNode node;
        try {
            node = Json.mapper().readTree(text);
        } catch (JacksonException e) {
            throw Refusal.invalidJson(describe(e));
        }
        if (node == null || node.isMissingNode()) {
            throw Refusal.invalidJson("body is empty; send one JSON object");
        }
        if (!node.isObject()) {
            throw Refusal.invalidJson("body must be a JSON object, not " + node.getNodeType().name().toLowerCase());
        }
        return (ObjectNode) node;
    }

    /**
     * JSON is UTF-8 (RFC 8259). Decoding strictly first refuses overlong forms, encoded surrogates
     * and other byte sequences that Jackson's byte parser would accept or guess at (UTF-32), and
     * the parser then works on characters, never on raw bytes.
     */
    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Refusal.invalidJson("body is not valid UTF-8");
        }
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
                throw Refusal.payloadTooLarge(MAX_BYTES);
            }
            return bytes;
        } catch (IOException e) {
            throw Refusal.invalidJson("could not read the body: " + e.getMessage());
        }
    }
}
