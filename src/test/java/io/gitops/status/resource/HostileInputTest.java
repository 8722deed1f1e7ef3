package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Refusal;
import io.gitops.status.error.ErrorResponses;
import io.gitops.status.json.JsonBody;
import io.gitops.status.config.AppConfig;
import io.gitops.status.update.DriftUpdate;
import io.gitops.status.update.InputRules;
import io.gitops.status.update.LegacyUpdate;
import io.gitops.status.update.PipelineUpdate;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Contract §2 and §8 under hostile input: thousands of generated request bodies on every write
 * endpoint ({@code POST /status/pipeline}, {@code POST /status/cron}, {@code POST /api/status}).
 *
 * <p>Every generated body breaks at least one input rule, so every answer must be a 4xx: never a
 * 5xx, always {@code application/json} with an {@code error} and a {@code message} and no Java
 * internals, with the error code (and field) the rule calls for. After all of them the data files
 * and the reads are byte for byte what they were after a known-good setup.
 *
 * <p>The bodies come from {@link Random} with a fixed seed ({@code -Dhostile.seed=N} replays
 * another run, {@code -Dhostile.bodies=N} changes the count per endpoint); every failure names the
 * seed, the endpoint and the case number, and each case has its own {@code Random}, so one case
 * can be replayed alone. Random byte mutations of valid bodies are the one kind whose validity is
 * not known by construction: they are run through the application's own body parser in-process
 * first, a mutation it accepts is dropped, and the HTTP answer must then agree with its verdict.
 *
 * <p>Beside the generated bodies: targeted cases with their exact answers (10,000 nested arrays,
 * a 10,000-digit number, invalid UTF-8, 1 MiB + 1 byte, unicode hosts and more), and two tests on
 * invalid bytes that the JSON parser (Jackson 2.18) does not refuse by itself: bodies it takes for
 * UTF-32, and byte sequences that are not UTF-8 but that it decodes anyway.
 */
class HostileInputTest extends ApiTestSupport {

    static final long SEED = Long.getLong("hostile.seed", 20_260_426L);
    static final int BODIES_PER_ENDPOINT = Integer.getInteger("hostile.bodies", 2_000);

    /** Contract §2: the body limit. */
    static final int MIB = 1024 * 1024;

    /** Reads our answers without the application's mapper: strict, but with default limits. */
    static final ObjectMapper PLAIN = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Stack traces and class names in an answer; none of the generated inputs contains these. */
    static final List<String> INTERNALS = List.of("\tat ", "java.lang.", "java.io.", "com.fasterxml",
            "org.glassfish", "org.eclipse.jetty", "Exception", "Caused by", "<html", "<HTML");

    // ---- the seed documents ---------------------------------------------------------------

    static final List<String> SEEDS = List.of(SeedExamples.PIPELINE, SeedExamples.CRON, SeedExamples.CRON_DRIFT, SeedExamples.V1_SYNCED, SeedExamples.V1_DRIFT);

    // ---- the endpoints and what they read ---------------------------------------------------

    enum Kind { IDENTITY, REQUIRED_ENUM, ENUM, STRING, MESSAGE, TIMESTAMP, FILES, LABELS, COUNT }

    record Slot(String field, Kind kind) {
        boolean required() {
            return kind == Kind.IDENTITY || kind == Kind.REQUIRED_ENUM;
        }
    }

    /**
     * One write endpoint: a body it accepts for a record that exists after {@link #seedStore()},
     * the fields it reads and of which kind, and its in-process parser.
     */
    record Target(String name, String path, String base, List<Slot> slots, Function<ObjectNode, ?> parser) {

        List<Slot> slots(Kind... kinds) {
            List<Kind> wanted = List.of(kinds);
            return slots.stream().filter(s -> wanted.contains(s.kind())).toList();
        }

        Slot slot(String field) {
            return slots.stream().filter(s -> s.field().equals(field)).findFirst().orElseThrow();
        }

        String firstIdentity() {
            return slots(Kind.IDENTITY).get(0).field();
        }

        String secondIdentity() {
            return slots(Kind.IDENTITY).get(1).field();
        }

        String filesField() {
            return slots(Kind.FILES).get(0).field();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The input rules the application runs with by default. */
    static final InputRules RULES = new InputRules(AppConfig.Limits.DEFAULTS.maxChangedFiles(),
            AppConfig.Limits.DEFAULTS.maxChangedFilesBytes(), PathWords.under("status", List.of(StatusResource.class)));

    static final Target PIPELINE = new Target("pipeline", "status/pipeline",
            SeedExamples.PIPELINE.substring(0, SeedExamples.PIPELINE.lastIndexOf('}')) + ", \"labels\": {\"team\": \"logging\"}}",
            List.of(new Slot("server_group", Kind.IDENTITY), new Slot("host", Kind.IDENTITY),
                    new Slot("project_name", Kind.STRING), new Slot("repo_name", Kind.STRING),
                    new Slot("server_type", Kind.STRING), new Slot("environment", Kind.STRING),
                    new Slot("status", Kind.REQUIRED_ENUM), new Slot("changed_files", Kind.FILES),
                    new Slot("validation_status", Kind.ENUM), new Slot("validation_message", Kind.MESSAGE),
                    new Slot("commit_sha", Kind.STRING), new Slot("branch", Kind.STRING),
                    new Slot("updated_by", Kind.STRING), new Slot("labels", Kind.LABELS),
                    new Slot("last_pipeline_run", Kind.TIMESTAMP)),
            body -> PipelineUpdate.parse(body, RULES));

    static final Target CRON = new Target("cron", "status/cron", SeedExamples.CRON_DRIFT,
            List.of(new Slot("server_group", Kind.IDENTITY), new Slot("host", Kind.IDENTITY),
                    new Slot("status", Kind.ENUM), new Slot("changed_files", Kind.FILES),
                    new Slot("last_cron_check", Kind.TIMESTAMP)),
            body -> DriftUpdate.parse(body, RULES));

    static final Target LEGACY = new Target("legacy", "api/status", SeedExamples.V1_DRIFT,
            List.of(new Slot("repo", Kind.IDENTITY), new Slot("server", Kind.IDENTITY),
                    new Slot("sync_status", Kind.REQUIRED_ENUM), new Slot("files", Kind.FILES),
                    new Slot("last_check", Kind.TIMESTAMP), new Slot("drift_count", Kind.COUNT)),
            body -> LegacyUpdate.parse(body, RULES));

    static final List<Target> TARGETS = List.of(PIPELINE, CRON, LEGACY);

    // ---- expected answers -----------------------------------------------------------------

    /** An answer's status, error code and field ({@code null}: none). */
    record Verdict(int status, String error, String field) {
        @Override
        public String toString() {
            return status + " " + error + (field == null ? "" : " field=" + field);
        }
    }

    static Verdict invalidJson() {
        return new Verdict(400, "invalid_json", null);
    }

    static Verdict invalidField(String field) {
        return new Verdict(400, "validation_failed", field);
    }

    static final Verdict TOO_LARGE = new Verdict(413, "payload_too_large", null);

    /** More changed files than the cap (maxChangedFiles, 10,000 by default): one body too large for it. */
    static final Verdict TOO_MANY_FILES = new Verdict(413, "limit_exceeded", "maxChangedFiles");

    /** A generated body and the answers it may get. */
    record Case(String category, byte[] body, List<Verdict> allowed) {
        static Case of(String category, byte[] body, Verdict... allowed) {
            return new Case(category, body, body.length > MIB ? List.of(TOO_LARGE) : List.of(allowed));
        }
    }

    // ---- tests ------------------------------------------------------------------------------

    @Test
    void thousandsOfGeneratedHostileBodiesAreRefusedWithJsonErrorsAndChangeNothing() {
        seedStore();
        StoreState before = quietStoreState();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        int[] droppedMutations = {0};
        long bytesSent = 0;
        long started = System.nanoTime();
        for (Target t : TARGETS) {
            int unchangedUpTo = -1;
            boolean storeChangeReported = false;
            for (int i = 0; i < BODIES_PER_ENDPOINT; i++) {
                Case c = new Generator(t, new Random(caseSeed(t, i)), droppedMutations).next();
                counts.merge(c.category(), 1, Integer::sum);
                bytesSent += c.body().length;
                check(problems, where(t, i, c), c, send(t.path(), c.body()));
                if (!storeChangeReported && ((i + 1) % 250 == 0 || i == BODIES_PER_ENDPOINT - 1)) {
                    StoreState now = storeState();
                    if (!now.equals(before)) {
                        problems.add(String.format("[seed=%d endpoint=%s] the store changed between case %d and"
                                + " case %d:%n%s", SEED, t, unchangedUpTo + 1, i, before.difference(now)));
                        storeChangeReported = true;
                    }
                    unchangedUpTo = i;
                }
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String summary = String.format("seed=%d: %d bodies (%d per endpoint, %.1f MB) in %d ms, %d accepted"
                + " mutations dropped; sent by category: %s", SEED, BODIES_PER_ENDPOINT * TARGETS.size(),
                BODIES_PER_ENDPOINT, bytesSent / 1e6, millis, droppedMutations[0], counts);
        System.out.println("HostileInputTest " + summary);

        StoreState after = storeState();
        if (!after.equals(before)) {
            problems.add("the store changed:\n" + before.difference(after));
        }
        report(problems, summary);
    }

    @Test
    void targetedHostileBodiesGetTheContractsAnswer() {
        seedStore();
        StoreState before = quietStoreState();
        List<String> problems = new ArrayList<>();
        String deepArrays = "[".repeat(10_000) + "]".repeat(10_000);
        String deepObjects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        String digits = "7" + "1234567890".repeat(999) + "123456789";
        assertEquals(10_000, digits.length());
        for (Target t : TARGETS) {
            String files = t.filesField();
            String host = t.secondIdentity();
            Map<String, Case> cases = new LinkedHashMap<>();
            cases.put("10,000 nested arrays as the body", Case.of("", utf8(deepArrays), invalidJson()));
            cases.put("10,000 nested objects as the body", Case.of("", utf8(deepObjects), invalidJson()));
            cases.put("10,000 nested arrays in " + files, Case.of("", with(t, files, deepArrays), invalidJson()));
            cases.put("10,000 nested objects in " + host, Case.of("", with(t, host, deepObjects), invalidJson()));
            cases.put("10,000 nested arrays, unclosed", Case.of("", utf8("[".repeat(10_000)), invalidJson()));
            cases.put("10,000-digit integer in " + host, Case.of("", with(t, host, digits), invalidJson()));
            cases.put("-10,000-digit integer as an unknown field",
                    Case.of("", with(t, "build_number", "-" + digits), invalidJson()));
            cases.put("10,000-digit fraction in " + files, Case.of("", with(t, files, "[0." + digits + "]"),
                    invalidJson()));
            cases.put("10,000-digit integer as the body", Case.of("", utf8(digits), invalidJson()));
            cases.put("NaN token", Case.of("", with(t, host, "NaN"), invalidJson()));
            cases.put("-Infinity token", Case.of("", with(t, "x", "-Infinity"), invalidJson()));
            cases.put("1e999999 as " + host, Case.of("", with(t, host, "1e999999"), invalidField(host)));
            cases.put("-0 as " + host, Case.of("", with(t, host, "-0"), invalidField(host)));
            cases.put("0xFF inside " + host, Case.of("", splice(withText(t, host, "\"rsyslog\uE00001\""),
                    new byte[] {(byte) 0xFF}), invalidJson()));
            cases.put("a lone continuation byte in a file name", Case.of("", splice(withText(t, files,
                    "[\"rsyslog\uE000.conf\"]"), new byte[] {(byte) 0x80}), invalidJson()));
            cases.put("a truncated 3-byte sequence before the closing quote", Case.of("", splice(withText(t, host,
                    "\"rsyslog\uE000\""), new byte[] {(byte) 0xE2, (byte) 0x82}), invalidJson()));
            cases.put("0xFE 0xFF bytes between members", Case.of("", splice(t.base().replaceFirst(",", ",\uE000"),
                    new byte[] {(byte) 0xFE, (byte) 0xFF}), invalidJson()));
            byte[] valid = utf8(compact(t.base()));
            cases.put("a valid body padded with spaces to 1 MiB + 1 byte",
                    Case.of("", pad(valid, MIB + 1), TOO_LARGE));
            cases.put("1 MiB + 1 byte of spaces", Case.of("", utf8(" ".repeat(MIB + 1)), TOO_LARGE));
            cases.put("exactly 1 MiB of spaces", Case.of("", utf8(" ".repeat(MIB)), invalidJson()));
            cases.put("a 2 MiB string", Case.of("", with(t, "note", "\"" + "x".repeat(2 * MIB) + "\""), TOO_LARGE));
            cases.put("2 MiB of '['", Case.of("", utf8("[".repeat(2 * MIB)), TOO_LARGE));
            for (String unicode : List.of("rsyslog-\uFF10\uFF11", "\uD83D\uDE00", "\u05E9\u05E8\u05EA-01",
                    "rsyslog\u202E10-", "rsysloge\u0301", "r\u0455yslog", "rsyslog\u00A001", "rsyslog\u200B",
                    "\u0661\u0662", "\u212Aelvin")) {
                cases.put("unicode " + host + " " + js(unicode), Case.of("", with(t, host, js(unicode)),
                        invalidField(host)));
                cases.put("escaped unicode " + host + " " + js(unicode), Case.of("", with(t, host,
                        escapedJs(unicode)), invalidField(host)));
            }
            cases.put("a lone surrogate in " + host, Case.of("", with(t, host, "\"rsyslog\\uD800\""),
                    invalidField(host)));
            cases.put("NUL in " + host, Case.of("", with(t, host, "\"rsyslog\\u000001\""), invalidField(host)));
            cases.put("NUL in the name of " + host, Case.of("", utf8(compact(t.base()).replace("\"" + host + "\"",
                    "\"" + host + "\\u0000\"")), invalidField(host)));
            cases.put("a 100 KiB file name", Case.of("", with(t, files, "[\"" + "f".repeat(100 * 1024) + "\"]"),
                    invalidField(files)));
            cases.put("10,001 changed files", Case.of("", with(t, files, fileList(10_001, false)),
                    TOO_MANY_FILES));
            cases.put("10,001 v1 file objects", Case.of("", with(t, files, fileList(10_001, true)),
                    TOO_MANY_FILES));
            cases.put("a duplicate " + host, Case.of("", utf8(prepend(t, "\"" + host + "\": \"other\"")),
                    invalidJson()));
            cases.put("a duplicate written with an escape", Case.of("", utf8(prepend(t,
                    "\"" + String.format("\\u%04x", (int) host.charAt(0)) + host.substring(1) + "\": \"x\"")),
                    invalidJson()));
            cases.put("trailing garbage", Case.of("", utf8(compact(t.base()) + " garbage"), invalidJson()));
            cases.put("a second object", Case.of("", utf8(compact(t.base()) + compact(t.base())), invalidJson()));
            cases.put("an empty body", Case.of("", new byte[0], invalidJson()));
            cases.put("a whitespace-only body", Case.of("", utf8(" \t\r\n "), invalidJson()));
            cases.put("null", Case.of("", utf8("null"), invalidJson()));
            cases.put("the body inside an array", Case.of("", utf8("[" + t.base() + "]"), invalidJson()));
            cases.put("{}", Case.of("", utf8("{}"), invalidField(t.firstIdentity())));
            if (t == PIPELINE) {
                cases.put("a 100 KiB commit_sha", Case.of("", with(t, "commit_sha",
                        "\"" + "c".repeat(100 * 1024) + "\""), invalidField("commit_sha")));
                cases.put("a 100 KiB validation_message", Case.of("", with(t, "validation_message",
                        "\"" + "m".repeat(100 * 1024) + "\""), invalidField("validation_message")));
                cases.put("33 labels", Case.of("", with(t, "labels", labels(33)), invalidField("labels")));
                cases.put("a label key with NUL", Case.of("", with(t, "labels", "{\"te\\u0000am\": \"x\"}"),
                        invalidField("labels")));
            }
            if (t == LEGACY) {
                cases.put("drift_count 1e999999", Case.of("", with(t, "drift_count", "1e999999"),
                        invalidField("drift_count")));
                cases.put("drift_count with 10,000 digits", Case.of("", with(t, "drift_count", digits),
                        invalidJson()));
            }
            cases.forEach((what, c) -> check(problems, t + ": " + what, c, send(t.path(), c.body())));
        }
        StoreState after = storeState();
        if (!after.equals(before)) {
            problems.add("the store changed:\n" + before.difference(after));
        }
        report(problems, "targeted cases");
    }

    /**
     * A body that starts with bytes that make Jackson guess UTF-32 (a UTF-32 byte-order mark, or
     * three NULs before the first character) is read through Jackson's own UTF-32 reader, which
     * reports a bad character with {@link java.io.CharConversionException}: an IOException but not
     * a JacksonException. Such a body is malformed JSON like any other: 400 invalid_json.
     */
    @Test
    void bodiesThatLookLikeUtf32AreInvalidJsonNotAServerError() {
        seedStore();
        StoreState before = quietStoreState();
        List<String> problems = new ArrayList<>();
        Map<String, byte[]> prefixes = new LinkedHashMap<>();
        prefixes.put("00 00 00 7B (UTF-32BE-looking '{')", bytes(0, 0, 0, 0x7B));
        prefixes.put("UTF-32BE byte-order mark", bytes(0, 0, 0xFE, 0xFF));
        prefixes.put("UTF-32LE byte-order mark", bytes(0xFF, 0xFE, 0, 0));
        prefixes.put("UCS-4 2143 byte-order mark", bytes(0, 0, 0xFF, 0xFE));
        prefixes.put("UCS-4 3412 byte-order mark", bytes(0xFE, 0xFF, 0, 0));
        for (Target t : TARGETS) {
            for (Map.Entry<String, byte[]> prefix : prefixes.entrySet()) {
                byte[] body = concat(prefix.getValue(), utf8(compact(t.base()).substring(1)));
                check(problems, t + ": " + prefix.getKey() + " then the rest of a valid body in UTF-8",
                        Case.of("", body, invalidJson()), send(t.path(), body));
            }
            byte[] truncated = bytes(0, 0, 0, 0x7B, 0, 0, 0);
            check(problems, t + ": UTF-32 '{' then 3 bytes", Case.of("", truncated, invalidJson()),
                    send(t.path(), truncated));
        }
        StoreState after = storeState();
        if (!after.equals(before)) {
            problems.add("the store changed:\n" + before.difference(after));
        }
        report(problems, "UTF-32-looking bodies");
    }

    /**
     * Bytes that are not UTF-8 but that the parser lets through (Jackson 2.18):
     * <ul>
     * <li>overlong forms (C0 80 is NUL, E0 80 AF is '/'), UTF-16 surrogates encoded on their own
     * (CESU-8) and code points above U+10FFFF, decoded into characters in any string;</li>
     * <li>0xFF bytes inside the last four bytes of a field name the parser has seen before: the
     * name is then looked up by its bytes, padded with 0xFF, and read as the known name without
     * being decoded ({@code "stat\xFFus"} is read as {@code "status"}).</li>
     * </ul>
     * A body holding them is not UTF-8 and so not JSON (RFC 8259 §8.1): 400 invalid_json, like
     * every other invalid byte, and nothing is stored.
     */
    @Test
    void invalidUtf8ThatTheParserLetsThroughIsStillInvalidJson() {
        seedStore();
        StoreState before = quietStoreState();
        List<String> problems = new ArrayList<>();
        Map<String, byte[]> sequences = new LinkedHashMap<>();
        sequences.put("overlong NUL C0 80", bytes(0xC0, 0x80));
        sequences.put("overlong '/' C0 AF", bytes(0xC0, 0xAF));
        sequences.put("overlong '/' E0 80 AF", bytes(0xE0, 0x80, 0xAF));
        sequences.put("overlong '/' F0 80 80 AF", bytes(0xF0, 0x80, 0x80, 0xAF));
        sequences.put("overlong DEL C1 BF", bytes(0xC1, 0xBF));
        sequences.put("CESU-8 high surrogate ED A0 80", bytes(0xED, 0xA0, 0x80));
        sequences.put("CESU-8 low surrogate ED B0 80", bytes(0xED, 0xB0, 0x80));
        sequences.put("above U+10FFFF F4 90 80 80", bytes(0xF4, 0x90, 0x80, 0x80));
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> seq : sequences.entrySet()) {
            byte[] s = seq.getValue();
            bodies.put("pipeline commit_sha with " + seq.getKey(),
                    splice(withText(PIPELINE, "commit_sha", "\"abc\uE000123\""), s));
            bodies.put("pipeline validation_message with " + seq.getKey(),
                    splice(withText(PIPELINE, "validation_message", "\"passed\uE000\""), s));
            bodies.put("pipeline label value with " + seq.getKey(),
                    splice(withText(PIPELINE, "labels", "{\"team\": \"log\uE000ging\"}"), s));
            bodies.put("cron changed_files entry with " + seq.getKey(),
                    splice(withText(CRON, "changed_files", "[\"/etc/rsyslog\uE000.conf\"]"), s));
            bodies.put("v1 files name with " + seq.getKey(),
                    splice(withText(LEGACY, "files", "[{\"name\": \"rsyslog\uE000.conf\"}]"), s));
        }
        // The seed writes above made the parser see every one of these names.
        byte[] ff = bytes(0xFF);
        bodies.put("pipeline name stat\\xFFus", splice(renamed(PIPELINE, "status", "\"stat\uE000us\""), ff));
        bodies.put("pipeline name commit_s\\xFFha",
                splice(renamed(PIPELINE, "commit_sha", "\"commit_s\uE000ha\""), ff));
        bodies.put("cron name stat\\xFF\\xFFus", splice(renamed(CRON, "status", "\"stat\uE000\uE000us\""), ff));
        bodies.put("cron name changed_file\\xFFs",
                splice(renamed(CRON, "changed_files", "\"changed_file\uE000s\""), ff));
        bodies.put("v1 name serv\\xFFer", splice(renamed(LEGACY, "server", "\"serv\uE000er\""), ff));
        bodies.put("v1 name sync_sta\\xFFtus", splice(renamed(LEGACY, "sync_status", "\"sync_sta\uE000tus\""), ff));
        bodies.put("v1 name file\\xFF\\xFF\\xFFs", splice(renamed(LEGACY, "files", "\"file\uE000\uE000\uE000s\""), ff));
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            Target t = body.getKey().startsWith("pipeline") ? PIPELINE
                    : body.getKey().startsWith("cron") ? CRON : LEGACY;
            Answer a = send(t.path(), body.getValue());
            if (a.status() >= 200 && a.status() < 300) {
                JsonNode record = a.json().get("record");
                problems.add(body.getKey() + ": accepted with " + a.status() + "; the record now has commit_sha "
                        + visible(record.get("commit_sha").toString()) + ", validation_message "
                        + visible(record.get("validation_message").toString()) + ", labels "
                        + visible(record.get("labels").toString()) + ", changed_files "
                        + visible(record.get("changed_files").toString()));
            } else {
                check(problems, body.getKey(), Case.of("", body.getValue(), invalidJson()), a);
            }
        }
        StoreState after = storeState();
        if (!after.equals(before)) {
            problems.add("the store changed:\n" + before.difference(after));
        }
        report(problems, "invalid UTF-8 the parser lets through");
    }

    // ---- the generator ----------------------------------------------------------------------

    static long caseSeed(Target t, int index) {
        return SEED * 1_000_003L + TARGETS.indexOf(t) * 10_000_019L + index;
    }

    static String where(Target t, int index, Case c) {
        return String.format("[seed=%d endpoint=%s case=%d category=%s]", SEED, t, index, c.category());
    }

    /** Makes one hostile body for one endpoint from one {@link Random}. */
    static final class Generator {

        /** Per mille of each category; {@link #next()} draws one. */
        static final int[] WEIGHTS = {
            95,  // truncated
            140, // mutated
            75,  // invalid UTF-8
            45,  // lenient UTF-8 in a checked field
            45,  // lone surrogates
            65,  // control characters
            60,  // deep nesting
            80,  // huge numbers
            40,  // long strings
            5,   // too large
            105, // wrong types
            75,  // unicode identity
            50,  // duplicate keys
            40,  // trailing garbage
            25,  // empty, whitespace, scalars
            10,  // many unknown fields
            20,  // limits
            25,  // encoding detection
        };

        static final byte[][] REJECTED_UTF8 = {
            bytes(0x80), bytes(0xBF), bytes(0xC0), bytes(0xC3), bytes(0xDF), bytes(0xE2, 0x82),
            bytes(0xEF, 0xBF), bytes(0xF0, 0x9F, 0x98), bytes(0xF8, 0x88, 0x80, 0x80, 0x80),
            bytes(0xFC, 0x84, 0x80, 0x80, 0x80, 0x80), bytes(0xFE), bytes(0xFF), bytes(0xFF, 0xFE),
            bytes(0xC3, 0x28), bytes(0xE2, 0x28, 0xA1), bytes(0xF0, 0x28, 0x8C, 0xBC), bytes(0xA0, 0xA1),
        };

        /** Not UTF-8, but Jackson decodes them (see the test on free-text fields). */
        static final byte[][] LENIENT_UTF8 = {
            bytes(0xC0, 0x80), bytes(0xC0, 0xA0), bytes(0xC0, 0xAF), bytes(0xE0, 0x80, 0xAF),
            bytes(0xF0, 0x80, 0x80, 0xAF), bytes(0xC1, 0xBF), bytes(0xED, 0xA0, 0x80), bytes(0xED, 0xB0, 0x80),
            bytes(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xF7, 0xBF, 0xBF, 0xBF),
        };

        static final List<String> LONE_SURROGATES = List.of("\\uD800", "\\uDBFF", "\\uDC00", "\\uDFFF",
                "\\ud800\\ud800", "\\uDC00\\uD800", "\\uD83D", "\\uDE00x", "\\uD800\\u0041");

        static final List<String> CONTROL_ESCAPES;

        static {
            List<String> escapes = new ArrayList<>();
            for (int c = 0; c < 0x20; c++) {
                escapes.add(String.format(c % 2 == 0 ? "\\u%04x" : "\\u%04X", c));
            }
            escapes.addAll(List.of("\\u007f", "\\u0085", "\\u2028", "\\u2029", "\\t", "\\n", "\\r", "\\b", "\\f",
                    "\\/", "\\\\", "\\\"", "\\u0020"));
            CONTROL_ESCAPES = List.copyOf(escapes);
        }

        static final List<String> UNICODE = List.of("\uD83D\uDE00", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                "\uD83C\uDDE9\uD83C\uDDEA", "\u05E9\u05E8\u05EA", "\u062E\u0627\u062F\u0645", "\u202E", "\u200F",
                "\u200E", "\uFF11\uFF12\uFF13", "\uFF52\uFF53\uFF59\uFF53\uFF4C\uFF4F\uFF47", "e\u0301", "\u0301",
                "\u0430", "\u03BF", "\u0131", "\u017F", "\uFB01", "\u00A0", "\u200B", "\uFEFF", "\u0663", "\u00B2",
                "\u216B", "\uD835\uDC1A", "\u2028", "\u00DF", "\u00E9", "\u03A9", "\u4E2D\u6587", "\uFFFD", "\uFFFF",
                "\u3000", "\u212A", "\u0130", "\u1E9E");

        static final List<String> NOT_STRINGS = List.of("[]", "[\"x\"]", "{}", "{\"x\":\"y\"}", "[null]", "[[]]",
                "[{}]", "{\"a\":[1,2,{\"b\":null}]}", "[\"rsyslog-prod\"]", "{\"name\":\"rsyslog.conf\"}");

        static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "1.5", "-0.0", "0e0", "1e999999",
                "-1e999999", "1e-999999", "1E400", "9223372036854775808", "-9223372036854775809",
                "1.7976931348623157e309", "4.9e-325", "9".repeat(64), "2147483648", "123456789012345678901234567890");

        static final List<String> BOOLEANS = List.of("true", "false");

        static final List<String> BAD_IDENTITIES = List.of("\"\"", "\" \"", "\"a b\"", "\"a/b\"", "\"/\"",
                "\"-lead\"", "\".lead\"", "\"_lead\"", "\":lead\"", "\"a\\u0000\"", "\"a\\t\"", "\"a\\n\"", "\"a?\"",
                "\"a#b\"", "\"a%2Fb\"", "\"a\\\\b\"", "\"a\\\"b\"", "\"a\\/b\"", "\"..\\/..\\/etc\"", "\"a;b\"",
                "\"a,b\"", "\"a@b\"", "\"*\"", "\"<script>\"", "\"a'b\"", "\"a&b\"", "\"a+b\"", "\"a=b\"", "\"a~b\"",
                "\"" + "a".repeat(254) + "\"", "\"" + "9".repeat(300) + "\"", "\"null\"".replace("null", " null"),
                "\"a\\u0020\"", "\"\\u0000\"", "\"a\\r\\n\"");

        static final List<String> BAD_ENUMS = List.of("\"nope\"", "\" \"", "\"SYNCED \"", "\" synced\"",
                "\"synced\\u0000\"", "\"in_sync\"", "\"out-of-sync\"", "\"ok\"", "\"FA\u0130LED\"", "\"sync\u00E9d\"",
                "\"\uFF53\uFF59\uFF4E\uFF43\uFF45\uFF44\"", "\"\\u0000\"", "\"null\"", "\"none\"", "\"synced,failed\"",
                "\"s\\u0079nced \"", "\"PASSED!\"", "\"0\"");

        static final List<String> BAD_TIMESTAMPS = List.of("\"2026-04-26T10:30:00\"", "\"2026-04-26\"",
                "\"yesterday\"", "\"now\"", "\"2026-02-30T10:00:00Z\"", "\"2026-04-26T25:00:00Z\"",
                "\"2026-04-26T10:30:00+25:00\"", "\"2026-04-26 10:30:00Z\"", "\"26/04/2026 10:30\"",
                "\"\uFF12\uFF10\uFF12\uFF16-04-26T10:30:00Z\"", "\"2026-04-26T10:30:00.1234567890Z\"",
                "\"2026-04-26T10:30Z\"", "\"-2026-04-26T10:30:00Z\"", "\"+12026-04-26T10:30:00Z\"",
                "\"2026-13-01T00:00:00Z\"", "\"2026-04-26T10:30:60Z\"", "\"2026-04-26\\u0000T10:30:00Z\"",
                "\"1777199400\"", "\"2026-04-26T10:30:00ZZ\"", "\"2026-04-26T10:30:00 Z\"", "\"T\"", "\"Z\"");

        static final List<String> BAD_FILES = List.of("\"a.conf\"", "\"\"", "{}", "{\"name\":\"a\"}", "[1]",
                "[null]", "[\"\"]", "[\"a\",\"\"]", "[[]]", "[[\"a\"]]", "[{}]", "[{\"file\":\"a\"}]", "[{\"name\":5}]",
                "[{\"name\":\"\"}]", "[{\"name\":null}]", "[{\"name\":[\"a\"]}]", "[true]", "[1e999999]",
                "[{\"name\":{\"name\":\"a\"}}]", "[\"ok\",7]", "[\"" + "p".repeat(4097) + "\"]",
                "[{\"name\":\"" + "p".repeat(4097) + "\"}]", "[-0]", "[\"a\",[\"b\"]]", "[{\"Name\":\"a\"}]");

        static final List<String> BAD_LABELS = List.of("\"team=web\"", "\"\"", "[]", "[\"a\"]", "[{\"k\":\"v\"}]",
                "{\"bad key\":\"v\"}", "{\"\":\"v\"}", "{\"a/b\":\"v\"}", "{\"k\\u0000\":\"v\"}", "{\"\uFF4B\":\"v\"}",
                "{\"\uD83D\uDE00\":\"v\"}", "{\"caf\u00E9\":\"v\"}", "{\"k\":null}", "{\"k\":{}}", "{\"k\":[]}",
                "{\"k\":[\"v\"]}", "{\"k\":{\"a\":\"b\"}}", "{\"" + "k".repeat(64) + "\":\"v\"}",
                "{\"k\":\"" + "v".repeat(257) + "\"}", "{\"a\":\"1\",\"k:\":\"v\"}", "{\"k\\n\":\"v\"}", labels(33),
                labels(100));

        static final List<String> BAD_COUNTS = List.of("\"2\"", "\"\"", "\"0\"", "true", "false", "-1", "1.5",
                "2.0", "-0.0", "0e0", "1e999999", "1E400", "2147483648", "-2147483649", "9".repeat(64), "[]", "[2]",
                "{}", "{\"n\":2}", "\"two\"", "-1e-999999", "1e-999999");

        static final List<String> BAD_TOKENS = List.of("NaN", "-NaN", "+NaN", "Infinity", "-Infinity", "+Infinity",
                "+1", "01", "-01", ".5", "1.", "1e", "1e+", "--1", "0x1F", "1_000", "nan", "inf", "TRUE", "True",
                "NULL", "None", "undefined", "1.0e", "1e1.5", "0.e1", "- 1", "1 2", "'single'", "\"unterminated",
                "tru", "nul", "fals", "\"\\x41\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"\\a\"", "[1,]", "{\"a\":1,}",
                "[,1]", "{,}", "{\"a\"}", "{\"a\" 1}", "{1:2}", "{null:1}", "\"a\" \"b\"", "1,5");

        static final List<String> GARBAGE = List.of("x", "}", "]", ",", ":", "{}", "[]", "null", "0", "-", "\"s\"",
                "true", "/* c */", "// c", "#", ";", "\\", "'", "<", "garbage", "{\"server_group\":\"x\"}", "\u0000",
                "\u0001", "\u007F", "\uFEFF");

        static final byte[] INTERESTING = bytes('{', '}', '[', ']', '"', ',', ':', '\\', ' ', '0', '9', '-', '+',
                'e', 'E', '.', 'n', 't', 'f', 'u', 0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0,
                0xF4, 0xFF);

        private final Target t;
        private final Random r;
        private final int[] droppedMutations;
        private final ObjectNode baseNode;
        /** The body's members as raw JSON: {name token with quotes, value}. */
        private final List<String[]> members = new ArrayList<>();

        Generator(Target t, Random r, int[] droppedMutations) {
            this.t = t;
            this.r = r;
            this.droppedMutations = droppedMutations;
            this.baseNode = parse(t.base());
            baseNode.properties().forEach(e -> members.add(new String[] {js(e.getKey()), e.getValue().toString()}));
        }

        Case next() {
            int p = r.nextInt(Arrays.stream(WEIGHTS).sum());
            int category = 0;
            while (p >= WEIGHTS[category]) {
                p -= WEIGHTS[category++];
            }
            return switch (category) {
                case 0 -> truncated();
                case 1 -> mutated();
                case 2 -> invalidUtf8();
                case 3 -> lenientUtf8InCheckedField();
                case 4 -> loneSurrogate();
                case 5 -> controlCharacters();
                case 6 -> deepNesting();
                case 7 -> hugeNumber();
                case 8 -> longString();
                case 9 -> tooLarge();
                case 10 -> wrongType();
                case 11 -> unicodeIdentity();
                case 12 -> duplicateKeys();
                case 13 -> trailingGarbage();
                case 14 -> emptyOrScalar();
                case 15 -> manyUnknownFields();
                case 16 -> limits();
                default -> encodingDetection();
            };
        }

        // -- categories --

        /** A proper prefix of a valid body (no whitespace after its closing brace) is never JSON. */
        Case truncated() {
            byte[] whole = anyValidBody();
            return Case.of("truncated", Arrays.copyOf(whole, r.nextInt(whole.length)), invalidJson());
        }

        /** 1-4 random byte edits of a valid body; kept only when the application refuses the result. */
        Case mutated() {
            for (int attempt = 0; attempt < 200; attempt++) {
                byte[] b = anyValidBody();
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    b = mutate(b);
                }
                Verdict verdict = inProcessVerdict(t, b);
                if (verdict != null) {
                    return Case.of("mutated", b, verdict);
                }
                droppedMutations[0]++;
            }
            throw new AssertionError("200 mutations in a row were valid");
        }

        /** Bytes that no UTF-8 decoder accepts, anywhere in a body. */
        Case invalidUtf8() {
            byte[] b = anyValidBody();
            for (int n = 1 + r.nextInt(3); n > 0; n--) {
                b = insert(b, r.nextInt(b.length + 1), pick(REJECTED_UTF8));
            }
            return Case.of("invalid UTF-8", b, invalidJson());
        }

        /** Overlong/CESU-8/out-of-range sequences inside a string whose rules they break either way. */
        Case lenientUtf8InCheckedField() {
            String field = intoCheckedString("\uE000");
            return Case.of("lenient UTF-8 in a checked field", splice(render(), pick(LENIENT_UTF8)), invalidJson(),
                    invalidField(field));
        }

        Case loneSurrogate() {
            String piece = pick(LONE_SURROGATES);
            String field = r.nextInt(4) == 0 ? renameRequired(piece) : intoCheckedString(piece);
            return Case.of("lone surrogate", utf8(render()), invalidField(field));
        }

        Case controlCharacters() {
            switch (r.nextInt(4)) {
                case 0 -> {
                    // A raw control byte: between tokens only tab, CR and LF are allowed, in strings none.
                    byte[] b = utf8(render());
                    int c = r.nextInt(0x20);
                    List<Integer> inside = stringInteriors(b);
                    boolean whitespace = c == '\t' || c == '\n' || c == '\r';
                    int at = whitespace || r.nextBoolean() ? inside.get(r.nextInt(inside.size()))
                            : r.nextInt(b.length + 1);
                    return Case.of("raw control character", insert(b, at, bytes(c)), invalidJson());
                }
                case 1 -> {
                    String field = renameRequired(pick(CONTROL_ESCAPES));
                    return Case.of("control character in a name", utf8(render()), invalidField(field));
                }
                default -> {
                    // Any of them, a space included, breaks the rule of every checked string.
                    String field = intoCheckedString(pick(CONTROL_ESCAPES));
                    return Case.of("escaped control character in a value", utf8(render()), invalidField(field));
                }
            }
        }

        Case deepNesting() {
            int depth = r.nextInt(4) == 0 ? 10_000 : 33 + r.nextInt(10_000 - 33);
            boolean closed = r.nextInt(5) != 0;
            switch (r.nextInt(3)) {
                case 0 -> {
                    return Case.of("deep nesting", utf8(nest(depth, closed)), invalidJson());
                }
                case 1 -> {
                    // Inside a field: the body itself is one level, so 32 more are too many.
                    String field = r.nextInt(5) == 0 ? "nested" : anySlot().field();
                    set(field, nest(depth - 1, true));
                    String body = render();
                    if (!closed) {
                        body = body.substring(0, body.lastIndexOf('}'));
                    }
                    return Case.of("deep nesting", utf8(body), invalidJson());
                }
                default -> {
                    // Shallow, so the parser takes it, where the field takes no such value.
                    Slot slot = anySlot();
                    String inner = nest(1 + r.nextInt(29), true);
                    set(slot.field(), switch (slot.kind()) {
                        case FILES -> "[" + inner + "]";
                        case LABELS -> "{\"k\":" + inner + "}";
                        default -> inner;
                    });
                    return Case.of("nesting where no container is allowed", utf8(render()), invalidField(slot.field()));
                }
            }
        }

        Case hugeNumber() {
            switch (r.nextInt(3)) {
                case 0 -> {
                    String n = longNumber();
                    if (r.nextInt(8) == 0) {
                        return Case.of("huge number", utf8(n), invalidJson());
                    }
                    Slot slot = anySlot();
                    set(r.nextInt(6) == 0 ? "build_number" : slot.field(), switch (slot.kind()) {
                        case FILES -> "[" + n + "]";
                        case LABELS -> "{\"k\":" + n + "}";
                        default -> n;
                    });
                    return Case.of("huge number", utf8(render()), invalidJson());
                }
                case 1 -> {
                    String token = pick(BAD_TOKENS);
                    if (r.nextInt(8) == 0) {
                        return Case.of("non-standard number or token", utf8(token), invalidJson());
                    }
                    set(r.nextInt(5) == 0 ? "extra" : anySlot().field(), token);
                    return Case.of("non-standard number or token", utf8(render()), invalidJson());
                }
                default -> {
                    // Extreme but legal numbers where a number is not allowed.
                    Slot slot = pick(t.slots(Kind.IDENTITY, Kind.REQUIRED_ENUM, Kind.ENUM, Kind.TIMESTAMP, Kind.FILES,
                            Kind.LABELS, Kind.COUNT));
                    String n = pick(NUMBERS);
                    if (slot.kind() == Kind.COUNT && (n.equals("0") || n.equals("-0") || n.equals("1"))) {
                        n = "1e999999";
                    }
                    set(slot.field(), slot.kind() == Kind.FILES && r.nextBoolean() ? "[" + n + "]" : n);
                    return Case.of("extreme number in a typed field", utf8(render()), invalidField(slot.field()));
                }
            }
        }

        /** Strings over a field's limit, up to 100 KiB and more, some multi-byte and escaped. */
        Case longString() {
            Slot slot = r.nextInt(8) == 0 ? pick(t.slots(Kind.IDENTITY, Kind.REQUIRED_ENUM)) : anySlot();
            if (r.nextInt(8) == 0 && slot.required()) {
                // A long name instead of the required field's. Names over Jackson's default limit of
                // 50,000 characters are a parse error, which is as good a refusal.
                boolean huge = r.nextBoolean();
                renameMember(slot.field(), js(slot.field() + "x".repeat(huge ? 100 * 1024 : 1000 + r.nextInt(9000))));
                return huge ? Case.of("long string", utf8(render()), invalidField(slot.field()), invalidJson())
                        : Case.of("long string", utf8(render()), invalidField(slot.field()));
            }
            int limit = switch (slot.kind()) {
                case IDENTITY -> 253;
                case MESSAGE -> 65_536;
                case LABELS -> 256;
                default -> 4096;
            };
            int codePoints = switch (r.nextInt(3)) {
                case 0 -> limit + 1;
                case 1 -> 100 * 1024;
                default -> limit + 1 + r.nextInt(100 * 1024);
            };
            String text = longText(codePoints, slot.kind() != Kind.MESSAGE);
            set(slot.field(), switch (slot.kind()) {
                case FILES -> r.nextBoolean() ? "[" + text + "]" : "[{\"name\":" + text + "}]";
                // A key stays under Jackson's default limit on names (50,000), beyond which it is a parse error.
                case LABELS -> r.nextBoolean() ? "{\"k\":" + text + "}"
                        : "{" + longText(Math.min(codePoints, 20_000), true) + ":\"v\"}";
                default -> text;
            });
            return Case.of("long string", utf8(render()), invalidField(slot.field()));
        }

        /** Over 1 MiB: refused before it is parsed, whatever it holds. */
        Case tooLarge() {
            int size = r.nextBoolean() ? MIB + 1 : MIB + 1 + r.nextInt(MIB);
            byte[] b = switch (r.nextInt(5)) {
                case 0 -> pad(utf8(render()), size);
                case 1 -> {
                    set(pick(List.of("validation_message", "commit_sha", "note")), "\"" + "x".repeat(2 * MIB) + "\"");
                    yield utf8(render());
                }
                case 2 -> utf8("[".repeat(size));
                case 3 -> {
                    byte[] noise = new byte[size];
                    r.nextBytes(noise);
                    yield noise;
                }
                default -> utf8(" ".repeat(size));
            };
            return Case.of("too large", b, TOO_LARGE);
        }

        Case wrongType() {
            Slot slot = anySlot();
            if (slot.required() && r.nextInt(4) == 0) {
                if (r.nextBoolean()) {
                    remove(slot.field());
                } else {
                    set(slot.field(), "null");
                }
            } else {
                set(slot.field(), wrongValue(slot));
            }
            return Case.of("wrong type or value", utf8(render()), invalidField(slot.field()));
        }

        Case unicodeIdentity() {
            String value = "";
            if (r.nextBoolean()) {
                value += pick(List.of("rsyslog", "web-01", "a", "9", "db:5432"));
            }
            for (int n = 1 + r.nextInt(3); n > 0; n--) {
                value += pick(UNICODE);
                if (r.nextBoolean()) {
                    value += pick(List.of("01", "-prod", ".example.com", ""));
                }
            }
            String raw = r.nextBoolean() ? js(value) : escapedJs(value);
            if (t == PIPELINE && r.nextInt(5) == 0) {
                set("labels", "{" + raw + ":\"v\"}");
                return Case.of("unicode label key", utf8(render()), invalidField("labels"));
            }
            String field = pick(t.slots(Kind.IDENTITY)).field();
            set(field, raw);
            return Case.of("unicode identity", utf8(render()), invalidField(field));
        }

        Case duplicateKeys() {
            switch (r.nextInt(5)) {
                case 0, 1 -> {
                    String[] m = pick(members);
                    String value = r.nextBoolean() ? m[1] : pick(List.of("null", "\"other\"", "1", "[]", "{}"));
                    insertMember(m[0], value);
                }
                case 2 -> {
                    // The same name once plain and once with an escape: one key to the parser.
                    String[] m = pick(members);
                    String name = parse("{" + m[0] + ":0}").fieldNames().next();
                    int at = r.nextInt(name.length());
                    String alias = "\"" + name.substring(0, at) + String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X",
                            (int) name.charAt(at)) + name.substring(at + 1) + "\"";
                    insertMember(alias, m[1]);
                }
                case 3 -> {
                    String files = t.filesField();
                    if (t == PIPELINE && r.nextBoolean()) {
                        set("labels", "{\"team\":\"a\",\"tier\":\"b\",\"team\":\"a\"}");
                    } else {
                        set(files, "[{\"name\":\"a.conf\",\"name\":\"b.conf\"}]");
                    }
                }
                default -> {
                    insertMember("\"x-extra\"", "1");
                    insertMember("\"x-extra\"", "2");
                }
            }
            return Case.of("duplicate keys", utf8(render()), invalidJson());
        }

        Case trailingGarbage() {
            String ws = pick(List.of("", " ", "\n", "\r\n", "\t", "  \n\t "));
            String garbage = r.nextInt(6) == 0 ? render() : pick(GARBAGE);
            byte[] b = utf8(render() + ws + garbage);
            if (r.nextInt(6) == 0) {
                byte[] noise = new byte[1 + r.nextInt(32)];
                r.nextBytes(noise);
                if (noise[0] == ' ' || noise[0] == '\t' || noise[0] == '\n' || noise[0] == '\r') {
                    noise[0] = 'x';
                }
                b = concat(utf8(render() + ws), noise);
            }
            return Case.of("trailing garbage", b, invalidJson());
        }

        Case emptyOrScalar() {
            int choice = r.nextInt(14);
            if (choice == 0) {
                return Case.of("empty or scalar", new byte[0], invalidJson());
            }
            if (choice <= 3) {
                StringBuilder ws = new StringBuilder();
                int n = choice == 1 ? 1 + r.nextInt(8) : choice == 2 ? 1 + r.nextInt(1000) : 1 + r.nextInt(200_000);
                for (int i = 0; i < n; i++) {
                    ws.append(" \t\r\n".charAt(r.nextInt(4)));
                }
                return Case.of("whitespace only", utf8(ws.toString()), invalidJson());
            }
            if (choice == 4) {
                return Case.of("empty or scalar", utf8("{}"), invalidField(t.firstIdentity()));
            }
            String body = pick(List.of("null", " null ", "\nnull\n", "true", "false", "0", "-0", "1e999999", "\"\"",
                    "\"string\"", js(render()), "[]", "[" + render() + "]", "[{}]", "[null]", "\uFEFF", "\uFEFFnull",
                    "\uFEFF \uFEFF", "{", "}", "[", "\"", "nul"));
            return Case.of("empty or scalar", utf8(body), invalidJson());
        }

        /** Thousands of members nobody reads, and one rule broken among them. */
        Case manyUnknownFields() {
            int n = 50 + r.nextInt(20_000);
            List<String[]> unknown = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = switch (r.nextInt(6)) {
                    case 0 -> "u" + i + pick(UNICODE);
                    case 1 -> "u" + i + "\\u0000";
                    case 2 -> "u" + i + "-" + "n".repeat(r.nextInt(100));
                    default -> "u" + i;
                };
                String value = pick(List.of("1", "\"v\"", "null", "true", "[]", "{}", "[1,\"a\"]", "{\"k\":\"v\"}",
                        "-0", "1e999999"));
                unknown.add(new String[] {"\"" + name + "\"", value});
            }
            boolean duplicate = r.nextInt(5) == 0;
            if (duplicate) {
                unknown.add(r.nextInt(unknown.size()), unknown.get(r.nextInt(unknown.size())).clone());
            }
            for (String[] m : members) {
                unknown.add(r.nextInt(unknown.size() + 1), m);
            }
            members.clear();
            members.addAll(unknown);
            if (duplicate) {
                return Case.of("many unknown fields", utf8(render()), invalidJson());
            }
            Slot slot = anySlot();
            set(slot.field(), wrongValue(slot));
            return Case.of("many unknown fields", utf8(render()), invalidField(slot.field()));
        }

        Case limits() {
            int choice = r.nextInt(t == PIPELINE ? 6 : 4);
            String field;
            switch (choice) {
                case 0, 1 -> {
                    set(t.filesField(), fileList(10_001 + (choice == 0 ? 0 : r.nextInt(20_000)), r.nextBoolean()));
                    return Case.of("limits", utf8(render()), TOO_MANY_FILES);
                }
                case 2 -> {
                    // At most 10,000 entries, but one of them empty.
                    field = t.filesField();
                    StringBuilder list = new StringBuilder("[");
                    int n = 1 + r.nextInt(10_000);
                    int bad = r.nextInt(n);
                    for (int i = 0; i < n; i++) {
                        list.append(i == 0 ? "" : ",").append(i == bad ? "\"\"" : "\"f" + i + "\"");
                    }
                    set(field, list.append(']').toString());
                }
                case 3 -> {
                    field = pick(t.slots(Kind.IDENTITY)).field();
                    set(field, "\"" + "h".repeat(254 + r.nextInt(4000)) + "\"");
                }
                case 4 -> {
                    field = "labels";
                    set(field, labels(33 + r.nextInt(500)));
                }
                default -> {
                    field = "validation_message";
                    set(field, r.nextBoolean() ? "\"" + "m".repeat(65_537) + "\""
                            : "\"" + "\u00E9".repeat(32_769) + "\"");
                }
            }
            return Case.of("limits", utf8(render()), invalidField(field));
        }

        /** Leading bytes that make a parser guess UTF-16 or UTF-32, followed by anything but that. */
        Case encodingDetection() {
            byte[] prefix = pick(new byte[][] {bytes(0, 0, 0, 0x7B), bytes(0x7B, 0, 0, 0), bytes(0, 0, 0xFE, 0xFF),
                bytes(0xFF, 0xFE, 0, 0), bytes(0, 0, 0xFF, 0xFE), bytes(0xFE, 0xFF, 0, 0), bytes(0xFE, 0xFF),
                bytes(0xFF, 0xFE), bytes(0, 0x7B), bytes(0x7B, 0), bytes(0xEF, 0xBB, 0xBF, 0), bytes(0, 0, 0)});
            byte[] rest = switch (r.nextInt(3)) {
                case 0 -> utf8(render().substring(1));
                case 1 -> {
                    byte[] noise = new byte[r.nextInt(64)];
                    r.nextBytes(noise);
                    yield noise;
                }
                default -> Arrays.copyOf(utf8(render()), r.nextInt(16));
            };
            return Case.of("encoding detection", concat(prefix, rest), invalidJson());
        }

        // -- values --

        String wrongValue(Slot slot) {
            List<String> values = new ArrayList<>();
            switch (slot.kind()) {
                case IDENTITY -> {
                    values.addAll(BAD_IDENTITIES);
                    values.addAll(NOT_STRINGS);
                    values.addAll(NUMBERS);
                    values.addAll(BOOLEANS);
                }
                case REQUIRED_ENUM, ENUM -> {
                    values.addAll(BAD_ENUMS);
                    values.addAll(NOT_STRINGS);
                    values.addAll(NUMBERS);
                    values.addAll(BOOLEANS);
                    if (slot.kind() == Kind.REQUIRED_ENUM) {
                        values.add("\"\"");
                    }
                }
                case STRING, MESSAGE -> values.addAll(NOT_STRINGS);
                case TIMESTAMP -> {
                    values.addAll(BAD_TIMESTAMPS);
                    values.addAll(NOT_STRINGS);
                    values.addAll(NUMBERS);
                    values.addAll(BOOLEANS);
                }
                case FILES -> {
                    values.addAll(BAD_FILES);
                    values.addAll(NUMBERS);
                    values.addAll(BOOLEANS);
                }
                case LABELS -> {
                    values.addAll(BAD_LABELS);
                    values.addAll(NUMBERS);
                    values.addAll(BOOLEANS);
                }
                case COUNT -> values.addAll(BAD_COUNTS);
            }
            return pick(values);
        }

        /** A JSON string over {@code codePoints} code points: ASCII, multi-byte characters and escapes. */
        String longText(int codePoints, boolean multiByte) {
            String[] pieces = multiByte
                    ? new String[] {"a", "Z", "0", "-", " ", "\u00E9", "\u20AC", "\uD83D\uDE00", "\\n", "\\u00e9",
                        "\\\"", "\\\\", "\u05E9"}
                    : new String[] {"a", "b", " ", "-", "\\n", "\\t"};
            StringBuilder s = new StringBuilder(codePoints + 2).append('"');
            String run = pieces[r.nextInt(pieces.length)];
            for (int i = 0; i < codePoints; i++) {
                if (i % 64 == 0) {
                    run = pieces[r.nextInt(pieces.length)];
                }
                s.append(run);
            }
            return s.append('"').toString();
        }

        /** A number of 65 to 10,000 digits, in one of JSON's number shapes. */
        String longNumber() {
            int length = r.nextInt(3) == 0 ? 10_000 : 65 + r.nextInt(10_000 - 65);
            StringBuilder d = new StringBuilder(length).append((char) ('1' + r.nextInt(9)));
            while (d.length() < length) {
                d.append((char) ('0' + r.nextInt(10)));
            }
            return switch (r.nextInt(6)) {
                case 0 -> "-" + d;
                case 1 -> "0." + d;
                case 2 -> "1e" + d;
                case 3 -> d + ".5";
                case 4 -> "-" + d + "e-5";
                default -> d.toString();
            };
        }

        String nest(int depth, boolean closed) {
            StringBuilder open = new StringBuilder();
            StringBuilder close = new StringBuilder();
            int shape = r.nextInt(3);
            for (int i = 0; i < depth; i++) {
                boolean array = shape == 0 || (shape == 2 && r.nextBoolean());
                open.append(array ? "[" : "{\"a\":");
                close.append(array ? ']' : '}');
            }
            if (!closed) {
                return open.toString();
            }
            return open + pick(List.of("1", "\"x\"", "null", "true", "-0")) + close.reverse();
        }

        // -- edits of the body --

        /** Puts a raw piece into a string whose rule any extra character breaks; returns its field. */
        String intoCheckedString(String piece) {
            Slot slot = pick(t.slots(Kind.IDENTITY, Kind.REQUIRED_ENUM, Kind.ENUM, Kind.TIMESTAMP, Kind.LABELS));
            if (slot.kind() == Kind.LABELS) {
                int at = r.nextInt(5);
                set(slot.field(), "{\"" + "team".substring(0, at) + piece + "team".substring(at) + "\":\"logging\"}");
            } else {
                String value = baseNode.get(slot.field()).textValue();
                // Timestamps are trimmed before they are read: only the inside counts there.
                int at = slot.kind() == Kind.TIMESTAMP ? 1 + r.nextInt(value.length() - 1)
                        : r.nextInt(value.length() + 1);
                set(slot.field(), "\"" + value.substring(0, at) + piece + value.substring(at) + "\"");
            }
            return slot.field();
        }

        /** Puts a raw piece into the name of a required field, which is then missing; returns it. */
        String renameRequired(String piece) {
            Slot slot = pick(t.slots.stream().filter(Slot::required).toList());
            int at = r.nextInt(slot.field().length() + 1);
            String name = slot.field();
            renameMember(name, "\"" + name.substring(0, at) + piece + name.substring(at) + "\"");
            return slot.field();
        }

        void set(String field, String value) {
            for (String[] m : members) {
                if (m[0].equals(js(field))) {
                    m[1] = value;
                    return;
                }
            }
            insertMember(js(field), value);
        }

        void remove(String field) {
            members.removeIf(m -> m[0].equals(js(field)));
        }

        void renameMember(String field, String rawName) {
            for (String[] m : members) {
                if (m[0].equals(js(field))) {
                    m[0] = rawName;
                }
            }
        }

        void insertMember(String rawName, String value) {
            members.add(r.nextInt(members.size() + 1), new String[] {rawName, value});
        }

        /** The body in one of several whitespace styles; no whitespace after the closing brace. */
        String render() {
            String[] style = pick(List.of(new String[] {"{", ",", ":", "}"}, new String[] {"{", ", ", ": ", "}"},
                    new String[] {"{\n    ", ",\n    ", ": ", "\n}"},
                    new String[] {"{\r\n\t", ",\r\n\t", " : ", "\r\n}"},
                    new String[] {"{ ", " , ", " :", " }"}));
            StringBuilder s = new StringBuilder(style[0]);
            for (int i = 0; i < members.size(); i++) {
                s.append(i == 0 ? "" : style[1]).append(members.get(i)[0]).append(style[2]).append(members.get(i)[1]);
            }
            return s.append(members.isEmpty() ? "}" : style[3]).toString();
        }

        byte[] anyValidBody() {
            return r.nextBoolean() ? utf8(render()) : utf8(pick(SEEDS));
        }

        byte[] mutate(byte[] b) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[at] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> b = insert(b, r.nextInt(b.length + 1), new byte[] {r.nextBoolean()
                        ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256)});
                case 3 -> {
                    if (b.length > 0) {
                        b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + 1, b.length));
                    }
                }
                case 4 -> {
                    int end = Math.min(b.length, at + 1 + r.nextInt(16));
                    b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, end, b.length));
                }
                case 5 -> {
                    int end = Math.min(b.length, at + 1 + r.nextInt(16));
                    b = insert(b, r.nextInt(b.length + 1), Arrays.copyOfRange(b, at, end));
                }
                default -> {
                    if (b.length > 1) {
                        int other = r.nextInt(b.length);
                        byte x = b[at];
                        b[at] = b[other];
                        b[other] = x;
                    }
                }
            }
            return b;
        }

        Slot anySlot() {
            return pick(t.slots());
        }

        <T> T pick(List<T> values) {
            return values.get(r.nextInt(values.size()));
        }

        <T> T pick(T[] values) {
            return values[r.nextInt(values.length)];
        }
    }

    /**
     * The application's own verdict on a body, in-process: {@code null} when it would accept it
     * (the cron endpoint then still needs the record to exist). A parser failure that is not an
     * {@link Refusal} is an unreadable body, which the contract answers with invalid_json.
     */
    static Verdict inProcessVerdict(Target t, byte[] body) {
        try {
            t.parser().apply(JsonBody.readObject(new ByteArrayInputStream(body)));
            return null;
        } catch (Refusal e) {
            return new Verdict(ErrorResponses.statusOf(e.kind()), e.code(), e.field());
        } catch (RuntimeException e) {
            return invalidJson();
        }
    }

    // ---- requests and checks ----------------------------------------------------------------

    Answer send(String path, byte[] body) {
        if (body.length > MIB) {
            return sendOversized(path, body);
        }
        try {
            return answer(target(path).request().post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE)));
        } catch (ProcessingException e) {
            return new Answer(-1, "no answer: " + e, null, null, null, null);
        }
    }

    /**
     * Sends a body over 1 MiB on a plain socket, reading the answer while the body is still being
     * written. The server answers 413 after reading just over 1 MiB and may then close the
     * connection with the rest unread; a client that only reads once it has written everything (as
     * HttpURLConnection does) then fails writing, and never sees the answer.
     */
    Answer sendOversized(String path, byte[] body) {
        URI uri = getBaseUri().resolve(path);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(15_000);
            byte[] head = utf8("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(head);
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before it had everything, as it may
                }
            }, "oversized-body-writer");
            writer.start();
            Answer answer = readHttpAnswer(new BufferedInputStream(socket.getInputStream()));
            socket.close();
            writer.join(TimeUnit.SECONDS.toMillis(15));
            return answer;
        } catch (IOException e) {
            return new Answer(-1, "no answer: " + e, null, null, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One HTTP/1.1 answer: status line, headers, and a body by Content-Length, chunks or EOF. */
    static Answer readHttpAnswer(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        byte[] content;
        if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) {
                chunks.writeBytes(in.readNBytes(size));
                readLine(in);
            }
            content = chunks.toByteArray();
        } else if (headers.containsKey("Content-Length")) {
            content = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
        } else {
            content = in.readAllBytes();
        }
        return new Answer(status, new String(content, StandardCharsets.UTF_8), headers.get("Location"),
                headers.get("Cache-Control"), headers.get("Content-Type"), headers.get("Allow"));
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed in the middle of the answer: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Every answer to a refused write: a 4xx, JSON error body, no internals, the expected verdict. */
    static void check(List<String> problems, String where, Case c, Answer a) {
        List<String> wrong = new ArrayList<>();
        if (a.status() < 400 || a.status() >= 500) {
            wrong.add("status " + a.status());
        }
        if (a.contentType() == null || !a.contentType().toLowerCase().startsWith("application/json")) {
            wrong.add("Content-Type " + a.contentType());
        }
        for (String marker : INTERNALS) {
            if (a.body().contains(marker)) {
                wrong.add("body shows internals (" + marker.replace("\t", "\\t") + ")");
            }
        }
        Verdict actual = null;
        try {
            JsonNode body = PLAIN.readTree(a.body());
            if (body == null || !body.isObject() || !body.path("error").isTextual()
                    || !body.path("message").isTextual() || body.path("message").textValue().isBlank()) {
                wrong.add("not an error object");
            } else {
                JsonNode field = body.get("field");
                if (field != null && !field.isTextual()) {
                    wrong.add("field is not a string");
                }
                actual = new Verdict(a.status(), body.get("error").textValue(), field == null ? null : field.asText());
            }
        } catch (IOException e) {
            wrong.add("body is not JSON");
        }
        if (actual != null && !c.allowed().contains(actual)) {
            wrong.add("expected " + (c.allowed().size() == 1 ? c.allowed().get(0) : "one of " + c.allowed())
                    + " but got " + actual);
        }
        if (!wrong.isEmpty()) {
            problems.add(where + ": " + String.join("; ", wrong) + "\n    answer: " + a.status() + " "
                    + abbreviate(a.body(), 300) + "\n    body: " + preview(c.body()));
        }
    }

    static final Pattern CATEGORY = Pattern.compile("\\[[^]]*category=([^]]*)]");

    static void report(List<String> problems, String what) {
        if (problems.isEmpty()) {
            return;
        }
        Map<String, Long> byKind = problems.stream().collect(Collectors.groupingBy(p -> {
            Matcher m = CATEGORY.matcher(p);
            return m.lookingAt() ? m.group(1) : "other";
        }, TreeMap::new, Collectors.counting()));
        fail(problems.size() + " problems (" + what + "); problems by category: " + byKind + "\n"
                + problems.stream().limit(60).collect(Collectors.joining("\n")));
    }

    // ---- the store --------------------------------------------------------------------------

    /** A known-good store: the seed examples written through the API, as a client would. */
    void seedStore() {
        for (String[] write : List.of(new String[] {"status/pipeline", SeedExamples.PIPELINE},
                new String[] {"status/cron", SeedExamples.CRON_DRIFT}, new String[] {"api/status", SeedExamples.V1_SYNCED},
                new String[] {"api/status", SeedExamples.V1_DRIFT}, new String[] {"status/pipeline",
                    "{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"failed\","
                        + " \"changed_files\": [\"/etc/nginx/nginx.conf\"], \"labels\": {\"team\": \"web\"}}"})) {
            Answer a = post(write[0], write[1]);
            assertEquals(200, a.status(), write[0] + ": " + a.body());
        }
    }

    /** The files of the store folder and the reads, once the background folding has settled. */
    StoreState quietStoreState() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        StoreState last = null;
        while (System.nanoTime() < deadline) {
            StoreState now = storeState();
            String journal = now.dataFiles().get("status.json.journal");
            if (now.equals(last) && (journal == null || journal.isEmpty())) {
                assertTrue(now.list().contains("rsyslog-lab"), now.list());
                return now;
            }
            last = now;
            sleep(150);
        }
        throw new AssertionError("the store never settled; last state: " + last);
    }

    /** The names of the store folder's files, the data files' bytes (or the database's export), and both list reads. */
    record StoreState(TreeSet<String> files, Map<String, String> dataFiles, String list, String legacyList) {

        String difference(StoreState other) {
            List<String> lines = new ArrayList<>();
            if (!files.equals(other.files)) {
                lines.add("  files " + files + " -> " + other.files);
            }
            for (String name : new TreeSet<>(Stream.concat(dataFiles.keySet().stream(),
                    other.dataFiles.keySet().stream()).toList())) {
                String a = dataFiles.get(name);
                String b = other.dataFiles.get(name);
                if (a == null ? b != null : !a.equals(b)) {
                    lines.add("  " + name + ": " + abbreviate(a, 2000) + "\n   -> " + abbreviate(b, 2000));
                }
            }
            if (!list.equals(other.list)) {
                lines.add("  GET /status: " + abbreviate(list, 2000) + "\n   -> " + abbreviate(other.list, 2000));
            }
            if (!legacyList.equals(other.legacyList)) {
                lines.add("  GET /api/status: " + abbreviate(legacyList, 2000) + "\n   -> "
                        + abbreviate(other.legacyList, 2000));
            }
            return String.join("\n", lines);
        }
    }

    StoreState storeState() {
        TreeSet<String> names = new TreeSet<>();
        Map<String, String> data = new TreeMap<>();
        try (Stream<Path> files = Files.list(storeDir)) {
            for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
                Path file = it.next();
                String name = file.getFileName().toString();
                names.add(name);
                if (name.equals(statusFile.getFileName().toString())
                        || name.equals(statusFile.getFileName() + ".journal")) {
                    // ISO-8859-1 keeps every byte as one char: equal strings are equal bytes.
                    data.put(name, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (onPostgres()) {
            data.put("the database, exported", storedText());
        }
        Answer list = get("status");
        Answer legacy = get("api/status");
        assertEquals(200, list.status(), list.body());
        assertEquals(200, legacy.status(), legacy.body());
        return new StoreState(names, data, list.body(), legacy.body());
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A target's valid body (compact) with one member's name replaced by a raw name. */
    static String renamed(Target t, String field, String rawName) {
        String body = compact(t.base());
        String name = js(field) + ":";
        assertTrue(body.contains(name), body);
        return body.replace(name, rawName + ":");
    }

    /** A target's valid body (compact) with a raw member before its first one. */
    static String prepend(Target t, String rawMember) {
        return "{" + rawMember + ", " + compact(t.base()).substring(1);
    }

    /** A target's valid body with one member set to a raw JSON value. */
    static byte[] with(Target t, String field, String rawValue) {
        return utf8(withText(t, field, rawValue));
    }

    static String withText(Target t, String field, String rawValue) {
        ObjectNode base = parse(t.base());
        StringBuilder s = new StringBuilder("{");
        boolean replaced = false;
        for (Map.Entry<String, JsonNode> e : base.properties()) {
            s.append(s.length() == 1 ? "" : ", ").append(js(e.getKey())).append(": ");
            if (e.getKey().equals(field)) {
                s.append(rawValue);
                replaced = true;
            } else {
                s.append(e.getValue());
            }
        }
        if (!replaced) {
            s.append(", ").append(js(field)).append(": ").append(rawValue);
        }
        return s.append('}').toString();
    }

    static String compact(String json) {
        return parse(json).toString();
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) PLAIN.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON string literal; non-ASCII characters as they are. */
    static String js(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /** A JSON string literal with everything outside printable ASCII as \\u escapes. */
    static String escapedJs(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7E || c == '"' || c == '\\' ? String.format("\\u%04X", (int) c)
                    : String.valueOf(c));
        }
        return out.append('"').toString();
    }

    /** Text with every character outside printable ASCII shown as a \\u escape. */
    static String visible(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    static String fileList(int n, boolean v1Objects) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append(v1Objects ? "{\"name\":\"f" + i + ".conf\"}" : "\"f" + i + ".conf\"");
        }
        return s.append(']').toString();
    }

    static String labels(int n) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        return s.append('}').toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] insert(byte[] b, int at, byte[] piece) {
        return concat(concat(Arrays.copyOf(b, at), piece), Arrays.copyOfRange(b, at, b.length));
    }

    /** The UTF-8 bytes of a text, each U+E000 in it replaced by {@code raw}. */
    static byte[] splice(String text, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = text.split("\uE000", -1);
        for (int i = 0; i < parts.length; i++) {
            out.writeBytes(utf8(parts[i]));
            if (i < parts.length - 1) {
                out.writeBytes(raw);
            }
        }
        return out.toByteArray();
    }

    /** A valid body made exactly {@code size} bytes long with spaces before its closing brace. */
    static byte[] pad(byte[] body, int size) {
        byte[] padding = new byte[size - body.length];
        Arrays.fill(padding, (byte) ' ');
        return insert(body, body.length - 1, padding);
    }

    /** Offsets strictly inside the string literals of a JSON text (between its quotes). */
    static List<Integer> stringInteriors(byte[] json) {
        List<Integer> inside = new ArrayList<>();
        boolean in = false;
        for (int i = 0; i < json.length; i++) {
            if (in && json[i] == '\\') {
                inside.add(i);
                i++;
                continue;
            }
            if (json[i] == '"') {
                if (in) {
                    inside.add(i);
                }
                in = !in;
            } else if (in) {
                inside.add(i);
            }
        }
        return inside;
    }

    static String preview(byte[] body) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(body.length, 200); i++) {
            int b = body[i] & 0xFF;
            s.append(b >= 0x20 && b < 0x7F && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02X", b));
        }
        return s + (body.length > 200 ? "... (" + body.length + " bytes)" : " (" + body.length + " bytes)");
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "<none>";
        }
        return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " chars)";
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
