package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.config.AppConfig;
import io.gitops.status.json.Json;
import io.gitops.status.store.StatusStore;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Write tokens through HTTP (issue 5, item 1): with a token file configured, every write and
 * delete needs a Bearer token whose {@code write:GLOB} scopes cover the server group; reads stay
 * open because no token here has the {@code read} scope (see {@link TokenReadScopeApiTest}).
 */
class TokensApiTest extends ApiTestSupport {

    static final String PROD = "prod-pipeline-secret-7f3a";
    static final String ALL = "ops-admin-secret-91bc";
    static final String LATE = "late-comer-secret-22de";
    static final String REALM = "Bearer realm=\"gitops-status\"";

    Path tokenFile;

    @Override
    protected AppConfig config(AppConfig defaults) {
        tokenFile = storeDir.resolve("tokens.txt");
        writeTokens(initialTokens());
        return defaults.withTokenFile(tokenFile);
    }

    static List<String> initialTokens() {
        return List.of(
                "# gitops-status write tokens",
                "",
                "prod-ci  " + sha256(PROD) + "  write:prod-*  write:rsyslog",
                "ops      " + sha256(ALL) + "  write:*");
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    void writeTokens(List<String> lines) {
        try {
            Files.write(tokenFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- requests ------------------------------------------------------------------------------

    /** The WWW-Authenticate header of the last {@link #call} answer. */
    String lastChallenge;

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A request with the given Authorization header ({@code null}: none) and JSON body ({@code null}: none). */
    Answer call(String authorization, String method, String path, String json) {
        Invocation.Builder request = target(path).request();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        Response response = json == null ? request.method(method)
                : request.method(method, Entity.entity(json, MediaType.APPLICATION_JSON));
        lastChallenge = response.getHeaderString("WWW-Authenticate");
        return answer(response);
    }

    Answer as(String token, String method, String path, String json) {
        return call(bearer(token), method, path, json);
    }

    JsonNode pipelineAs(String token, String group, String host, String status) {
        Answer a = as(token, "POST", "status/pipeline", "{\"server_group\":" + q(group) + ",\"host\":" + q(host)
                + ",\"status\":" + q(status) + "}");
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    void assertUnauthorized(Answer a) {
        assertError(a, 401, "unauthorized", null);
        assertEquals(REALM, lastChallenge, "WWW-Authenticate of a 401");
    }

    /** One of the six kinds of write, aimed at {@code group}/h1. */
    record Write(String method, String path, String body) {

        @Override
        public String toString() {
            return method + " " + path + " " + body;
        }
    }

    static List<Write> writesOn(String group) {
        return List.of(
                new Write("POST", "status/pipeline", "{\"server_group\":" + q(group)
                        + ",\"host\":\"h1\",\"status\":\"failed\",\"commit_sha\":\"evil\"}"),
                new Write("POST", "status/cron", "{\"server_group\":" + q(group)
                        + ",\"host\":\"h1\",\"status\":\"out_of_sync\",\"changed_files\":[\"/etc/x\"]}"),
                new Write("POST", "api/status", "{\"repo\":" + q(group)
                        + ",\"server\":\"h1\",\"sync_status\":\"FAILED\",\"files\":[{\"name\":\"/etc/y\"}]}"),
                new Write("DELETE", "status/" + group + "/h1", null),
                new Write("DELETE", "status/" + group, null),
                new Write("POST", "status/delete", "{\"server_group\":" + q(group) + "}"));
    }

    /** Every file next to the data file (data file, journal, lock, ...), but not the token file. */
    List<Path> storeFiles() {
        try (Stream<Path> files = Files.walk(storeDir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.equals(tokenFile)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the store holds: its files, or every row of its database. */
    String storeText() {
        if (onPostgres()) {
            return databaseText();
        }
        StringBuilder text = new StringBuilder();
        for (Path file : storeFiles()) {
            try {
                text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
            } catch (IOException e) {
                // a file replaced while listing: the next look sees the new one
            }
        }
        return text.toString();
    }

    void assertNoSecretsStored() {
        String stored = storeText();
        for (String secret : List.of(PROD, ALL, LATE, sha256(PROD), sha256(ALL), sha256(LATE))) {
            assertFalse(stored.contains(secret), "the store holds a token or its hash: " + secret);
        }
        String upper = stored.toUpperCase();
        for (String hash : List.of(sha256(PROD), sha256(ALL), sha256(LATE))) {
            assertFalse(upper.contains(hash.toUpperCase()), "the store holds a token's hash");
        }
        String base64 = stored.replace("\n", "");
        for (String secret : List.of(PROD, ALL)) {
            assertFalse(base64.contains(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))
                    .replace("=", "")), "the store holds a token in base64");
        }
    }

    /** The written_by_token of a record in a data file's text; null when absent or unreadable. */
    static String storedWriter(String dataFile, String key) {
        try {
            JsonNode record = Json.mapper().readTree(dataFile).path("servers").path(key);
            return record.path("written_by_token").isTextual() ? record.get("written_by_token").textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }

    static void assertWrittenBy(JsonNode row, String tokenName) {
        assertRowShape(row);
        List<String> fields = names(row);
        assertEquals("written_by_token", fields.get(fields.size() - 1), "written_by_token is the last field");
        assertEquals(tokenName, text(row, "written_by_token"), "written_by_token of " + row);
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        get("status").json().forEach(row -> keys.add(row.get("server_group").textValue() + "/"
                + row.get("host").textValue()));
        return keys;
    }

    // ---- 401 ------------------------------------------------------------------------------------

    @Test
    void everyWriteWithoutAValidBearerTokenIs401AndChangesNothing() {
        pipelineAs(ALL, "prod-web", "h1", "synced");
        pipelineAs(ALL, "lab", "h1", "synced");
        List<String> refused = new ArrayList<>();
        refused.add(null);
        refused.add("");
        refused.add("Bearer");
        refused.add("Bearer ");
        refused.add("Bearer wrong-token");
        refused.add(PROD); // no scheme
        refused.add("Token " + PROD);
        refused.add("Basic " + Base64.getEncoder().encodeToString(("x:" + PROD).getBytes(StandardCharsets.UTF_8)));
        refused.add("Basic " + Base64.getEncoder().encodeToString(PROD.getBytes(StandardCharsets.UTF_8)));
        refused.add(bearer(sha256(PROD))); // the hash from the token file is not the token
        refused.add(bearer(PROD + "x"));
        refused.add(bearer(PROD.substring(0, PROD.length() - 1)));
        refused.add(bearer(PROD.toUpperCase()));
        refused.add("Bearer" + PROD);
        refused.add(bearer(LATE)); // not (yet) in the file
        for (String group : List.of("prod-web", "lab")) {
            for (Write write : writesOn(group)) {
                for (String authorization : refused) {
                    Answer a = assertChangesNothing(() -> call(authorization, write.method(), write.path(), write.body()));
                    assertUnauthorized(a);
                    assertFalse(a.body().contains(PROD), "the answer repeats the token: " + a.body());
                }
            }
        }
        assertEquals(List.of("lab/h1", "prod-web/h1"), keys());
        assertEquals("synced", text(row("prod-web", "h1"), "status"));
        assertNoSecretsStored();
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndSurroundingSpaceIsIgnored() {
        for (String authorization : List.of("bearer " + PROD, "BEARER " + PROD, "Bearer   " + PROD + "  ")) {
            Answer a = call(authorization, "POST", "status/pipeline",
                    "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\"}");
            assertEquals(200, a.status(), authorization + ": " + a.body());
            assertEquals("prod-ci", text(a.json().get("record"), "written_by_token"));
        }
    }

    @Test
    void authenticationComesBeforeBodyValidation() {
        pipelineAs(ALL, "prod-web", "h1", "synced");
        List<String> malformed = List.of("{", "[]", "{}", "null", "\"text\"", "{\"server_group\":\"prod-web\"} x");
        java.util.Map<String, List<String>> invalid = java.util.Map.of(
                "status/pipeline", List.of("{\"server_group\":\"prod-web\"}",
                        "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"sideways\"}",
                        "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\",\"labels\":7}"),
                "status/cron", List.of("{\"server_group\":\"prod-web\"}",
                        "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"sideways\"}"),
                "api/status", List.of("{\"repo\":\"prod-web\",\"server\":\"h1\"}",
                        "{\"repo\":\"prod-web\",\"server\":\"h1\",\"sync_status\":\"SIDEWAYS\"}"),
                "status/delete", List.of("{\"colour\":\"red\"}", "{\"host\":5}"));
        invalid.forEach((path, bodies) -> {
            List<String> all = new ArrayList<>(malformed);
            all.addAll(bodies);
            for (String body : all) {
                assertUnauthorized(assertChangesNothing(() -> call(null, "POST", path, body)));
                assertUnauthorized(assertChangesNothing(() -> call("Bearer nope", "POST", path, body)));
                // The same body with a valid token: the body really is refused, so the 401 above came first.
                Answer withToken = assertChangesNothing(() -> as(ALL, "POST", path, body));
                assertEquals(400, withToken.status(), path + " " + body + ": " + withToken.body());
            }
        });
        // A body over the size limit.
        String huge = "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\",\"validation_message\":\""
                + "x".repeat(1024 * 1024 + 10) + "\"}";
        assertUnauthorized(assertChangesNothing(() -> callRefusedEarly("status/pipeline", huge)));
    }

    /**
     * A POST without a token whose body the server refuses before reading it: the server may answer
     * and close while the client still writes, and the client then fails writing instead of reading
     * the answer (a race of the test's client, not of the service). Tried again until an answer is
     * read, at most five times.
     */
    private Answer callRefusedEarly(String path, String body) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call(null, "POST", path, body);
            } catch (jakarta.ws.rs.ProcessingException e) {
                if (attempt == 5 || !(e.getCause() instanceof java.io.IOException)) {
                    throw e;
                }
            }
        }
    }

    static final String ANY_WRITE_BODY = "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\","
            + "\"repo\":\"prod-web\",\"server\":\"h1\",\"sync_status\":\"FAILED\"}";

    @Test
    void authenticationComesBeforeTheMissingContentTypeCheck() {
        pipelineAs(ALL, "prod-web", "h1", "synced");
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("status/pipeline", "status/cron", "api/status", "status/delete")) {
            for (String authorization : new String[] {null, "Bearer nope", bearer(ALL)}) {
                Answer a = assertChangesNothing(() -> {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(getBaseUri() + path))
                            .POST(HttpRequest.BodyPublishers.ofString(ANY_WRITE_BODY));
                    if (authorization != null) {
                        request.header("Authorization", authorization);
                    }
                    try {
                        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        lastChallenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
                        return new Answer(r.statusCode(), r.body(), null, null,
                                r.headers().firstValue("Content-Type").orElse(null), null);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                if (authorization == null || authorization.equals("Bearer nope")) {
                    assertUnauthorized(a);
                } else {
                    // With a valid token the missing type is what is refused.
                    assertError(a, 415, "unsupported_media_type", null);
                }
            }
        }
    }

    @Test
    void authenticationComesBeforeTheMediaTypeCheck() {
        pipelineAs(ALL, "prod-web", "h1", "synced");
        List<String> wrong = new ArrayList<>();
        for (String path : List.of("status/pipeline", "status/cron", "api/status", "status/delete")) {
            for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml")) {
                for (String authorization : new String[] {null, "Bearer nope"}) {
                    Answer a = assertChangesNothing(() -> {
                        Invocation.Builder request = target(path).request();
                        if (authorization != null) {
                            request = request.header("Authorization", authorization);
                        }
                        Response response = request.post(Entity.entity(ANY_WRITE_BODY, type));
                        lastChallenge = response.getHeaderString("WWW-Authenticate");
                        return answer(response);
                    });
                    if (a.status() != 401 || !REALM.equals(lastChallenge)) {
                        wrong.add("POST /" + path + " as " + type + " with " + authorization + ": " + a.status());
                    } else {
                        assertUnauthorized(a);
                    }
                }
            }
            // With a valid token the media type is what is refused.
            Answer typed = assertChangesNothing(() -> answer(target(path).request()
                    .header("Authorization", bearer(ALL)).post(Entity.entity(ANY_WRITE_BODY, "text/plain"))));
            assertError(typed, 415, "unsupported_media_type", null);
        }
        assertEquals(List.of(), wrong, "writes without a valid token that were not answered 401");
    }

    // ---- 403 ------------------------------------------------------------------------------------

    @Test
    void aTokenMayNotWriteGroupsItsGlobsDoNotCover() {
        for (String group : List.of("lab", "prod", "xprod-web", "PROD-web", "rsyslog-2", "pre-prod-web")) {
            pipelineAs(ALL, group, "h1", "synced");
        }
        for (String group : List.of("lab", "prod", "xprod-web", "PROD-web", "rsyslog-2", "pre-prod-web")) {
            for (Write write : writesOn(group)) {
                Answer a = assertChangesNothing(() -> as(PROD, write.method(), write.path(), write.body()));
                assertError(a, 403, "forbidden", null);
                assertFalse(a.body().contains(PROD), a.body());
                assertFalse(a.body().contains(sha256(PROD)), a.body());
            }
            JsonNode row = row(group, "h1");
            assertEquals("synced", text(row, "status"));
            assertEquals("ops", text(row, "written_by_token"));
        }
        // Groups that do not exist yet: 403 too (not 404), a token learns nothing about other groups.
        for (Write write : writesOn("other").subList(0, 5)) { // (bulk: matching nothing deletes nothing)
            assertError(assertChangesNothing(() -> as(PROD, write.method(), write.path(), write.body())), 403,
                    "forbidden", null);
        }
        assertNoSecretsStored();
    }

    @Test
    void aTokenWritesAndDeletesTheGroupsItsGlobsCover() {
        // pipeline creates, cron updates, legacy on the exact group "rsyslog", deletes
        JsonNode created = pipelineAs(PROD, "prod-web", "h1", "synced");
        assertEquals("created", created.get("result").textValue());
        assertWrittenBy(created.get("record"), "prod-ci");
        pipelineAs(PROD, "prod-", "h1", "synced");
        pipelineAs(PROD, "prod-db", "h1", "synced");

        Answer cron = as(PROD, "POST", "status/cron",
                "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"out_of_sync\",\"changed_files\":[\"/a\"]}");
        assertEquals(200, cron.status(), cron.body());
        assertWrittenBy(cron.json().get("record"), "prod-ci");

        Answer legacy = as(PROD, "POST", "api/status", "{\"repo\":\"rsyslog\",\"server\":\"r1\",\"sync_status\":\"SYNCED\"}");
        assertEquals(200, legacy.status(), legacy.body());
        assertEquals("created", legacy.json().get("result").textValue());
        assertWrittenBy(row("rsyslog", "r1"), "prod-ci");

        assertEquals(204, as(PROD, "DELETE", "status/prod-web/h1", null).status());
        assertEquals(204, as(PROD, "DELETE", "status/prod-db", null).status());
        assertError(as(PROD, "DELETE", "status/prod-db", null), 404, "not_found", null);
        assertError(as(PROD, "DELETE", "status/prod-web/h1", null), 404, "not_found", null);
        Answer bulk = as(PROD, "POST", "status/delete", "{\"server_group\":\"rsyslog\"}");
        assertEquals(200, bulk.status(), bulk.body());
        assertEquals(List.of("rsyslog/r1"), texts(bulk.json().get("deleted")));
        assertEquals(List.of("prod-/h1"), keys());
    }

    @Test
    void bulkDeletionByAScopedTokenMustNameGroupsItsScopesCover() {
        pipelineAs(ALL, "prod-web", "a", "failed");
        pipelineAs(ALL, "prod-web", "b", "synced");
        pipelineAs(ALL, "prod-db", "a", "failed");
        pipelineAs(ALL, "lab", "a", "failed");

        // prod-ci may write only some groups: without a server_group filter it is refused before any
        // record is looked at, whatever the other filters would match.
        for (String filters : List.of("{\"status\":\"failed\"}", "{\"host\":\"a\"}", "{\"host\":\"nobody\"}",
                "{\"stale\":true}")) {
            assertError(assertChangesNothing(() -> as(PROD, "POST", "status/delete", filters)), 403, "forbidden",
                    null);
        }
        // Naming a group it may not write is refused, among covered ones or when nothing matches.
        for (String filters : List.of("{\"server_group\":[\"prod-db\",\"prod-web\",\"lab\"],\"status\":\"failed\"}",
                "{\"server_group\":\"lab\",\"host\":\"nobody\"}",
                "{\"server_group\":\"staging\"}")) {
            assertError(assertChangesNothing(() -> as(PROD, "POST", "status/delete", filters)), 403, "forbidden",
                    null);
        }
        assertEquals(List.of("lab/a", "prod-db/a", "prod-web/a", "prod-web/b"), keys());

        // Covered groups named: the deletion stays inside them; matching nothing deletes nothing.
        Answer own = as(PROD, "POST", "status/delete", "{\"server_group\":[\"prod-web\",\"prod-db\"],\"status\":\"failed\"}");
        assertEquals(200, own.status(), own.body());
        assertEquals(List.of("prod-db/a", "prod-web/a"), texts(own.json().get("deleted")));
        Answer none = as(PROD, "POST", "status/delete", "{\"server_group\":\"prod-web\",\"host\":\"nobody\"}");
        assertEquals(200, none.status(), none.body());
        assertEquals(List.of(), texts(none.json().get("deleted")));

        // write:* covers every group: no group needs naming.
        Answer all = as(ALL, "POST", "status/delete", "{\"host\":[\"a\",\"b\"]}");
        assertEquals(200, all.status(), all.body());
        assertEquals(List.of("lab/a", "prod-web/b"), texts(all.json().get("deleted")));
        assertEquals(List.of(), keys());
    }

    @Test
    void aBulkDeletionAnswersTheSameWhetherOrNotOtherGroupsHoldMatchingHosts() {
        pipelineAs(ALL, "prod-web", "a", "synced");
        List<String> requests = List.of("{\"status\":\"failed\"}", "{\"host\":\"x\"}",
                "{\"server_group\":\"lab\",\"status\":\"failed\"}",
                "{\"server_group\":[\"prod-web\",\"lab\"],\"host\":\"x\"}",
                "{\"server_group\":\"prod-web\",\"status\":\"failed\"}");
        List<String> without = new ArrayList<>();
        for (String filters : requests) {
            Answer a = as(PROD, "POST", "status/delete", filters);
            without.add(a.status() + " " + a.body());
        }
        // Hosts matching every one of those filters appear in a group prod-ci cannot write.
        pipelineAs(ALL, "lab", "x", "failed");
        pipelineAs(ALL, "staging", "x", "failed");
        List<String> with = new ArrayList<>();
        for (String filters : requests) {
            Answer a = as(PROD, "POST", "status/delete", filters);
            with.add(a.status() + " " + a.body());
        }
        assertEquals(without, with);
        assertEquals(List.of("lab/x", "prod-web/a", "staging/x"), keys());
    }

    // ---- written_by_token -----------------------------------------------------------------------

    @Test
    void writtenByTokenNamesTheLastWriterOnEveryRowAndTheDataFileNeverHoldsTheToken() throws IOException {
        JsonNode created = pipelineAs(ALL, "prod-web", "h1", "synced");
        assertWrittenBy(created.get("record"), "ops");
        assertWrittenBy(row("prod-web", "h1"), "ops");
        assertNoSecretsStored();

        Answer cron = as(PROD, "POST", "status/cron", "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\"}");
        assertEquals(200, cron.status(), cron.body());
        assertWrittenBy(cron.json().get("record"), "prod-ci");
        assertNoSecretsStored();

        pipelineAs(PROD, "prod-web", "h2", "synced");
        Answer legacy = as(ALL, "POST", "api/status", "{\"repo\":\"prod-web\",\"server\":\"h2\",\"sync_status\":\"FAILED\"}");
        assertEquals(200, legacy.status(), legacy.body());
        assertWrittenBy(legacy.json().get("record"), "ops");

        // Every read that shows rows shows the name.
        assertWrittenBy(row("prod-web", "h1"), "prod-ci");
        assertWrittenBy(row("prod-web", "h2"), "ops");
        for (String path : List.of("status", "status/prod-web")) {
            JsonNode rows = get(path).json();
            assertEquals(2, rows.size(), path);
            assertWrittenBy(rows.get(0), "prod-ci");
            assertWrittenBy(rows.get(1), "ops");
        }
        JsonNode filtered = answer(target("status").queryParam("host", "h1").request().get()).json();
        assertWrittenBy(filtered.get(0), "prod-ci");
        // The v1 shape is unchanged: no token name there.
        for (JsonNode v1 : get("api/status").json()) {
            assertEquals(LEGACY_FIELDS, names(v1));
        }

        // The data file (once the journal is folded into it), or the database, keeps the names, never a token or hash.
        byte[] folded = awaitStored(text -> "prod-ci".equals(storedWriter(text, "prod-web/h1"))
                && "ops".equals(storedWriter(text, "prod-web/h2")));
        JsonNode servers = Json.mapper().readTree(folded).get("servers");
        assertEquals("prod-ci", servers.get("prod-web/h1").get("written_by_token").textValue());
        assertEquals("ops", servers.get("prod-web/h2").get("written_by_token").textValue());
        assertNoSecretsStored();

        // A refused write leaves the last writer's name.
        assertError(as(PROD, "POST", "status/pipeline", "{\"server_group\":\"lab\",\"host\":\"h1\",\"status\":\"synced\"}"),
                403, "forbidden", null);
        assertWrittenBy(row("prod-web", "h2"), "ops");
    }

    @Test
    void anotherStoreOnTheSameFilesSeesTheNames() {
        pipelineAs(PROD, "prod-web", "h1", "synced");
        pipelineAs(ALL, "lab", "h1", "synced");
        // As after a restart, or in a second process: the names come from the files (or the database).
        try (StatusStore reopened = reopenStore()) {
            assertEquals("prod-ci", reopened.find("prod-web", "h1").orElseThrow().writtenByToken());
            assertEquals("ops", reopened.find("lab", "h1").orElseThrow().writtenByToken());
        }
        assertNoSecretsStored();
    }

    // ---- reads stay open ------------------------------------------------------------------------

    @Test
    void readsNeedNoTokenWhileNoTokenHasTheReadScope() {
        pipelineAs(ALL, "prod-web", "h1", "synced");
        as(ALL, "POST", "status/cron", "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\"}");
        for (String path : List.of("", "status", "status/files", "status/summary", "status/prod-web",
                "status/prod-web/h1", "status/prod-web/h1/history", "events", "metrics", "api/status",
                "status.json", "health", "ready")) {
            for (String authorization : new String[] {null, "Bearer wrong", bearer(PROD)}) {
                Answer a = call(authorization, "GET", path, null);
                assertEquals(200, a.status(), "GET /" + path + " with " + authorization + ": " + a.body());
            }
        }
    }

    // ---- the file is re-read ---------------------------------------------------------------------

    @Test
    void tokenFileChangesApplyWithoutRestart() {
        String lateWrite = "{\"server_group\":\"lab\",\"host\":\"h1\",\"status\":\"synced\"}";
        assertUnauthorized(assertChangesNothing(() -> as(LATE, "POST", "status/pipeline", lateWrite)));

        // Added: works at once.
        List<String> added = new ArrayList<>(initialTokens());
        added.add("late " + sha256(LATE) + " write:lab");
        writeTokens(added);
        Answer a = as(LATE, "POST", "status/pipeline", lateWrite);
        assertEquals(200, a.status(), a.body());
        assertWrittenBy(a.json().get("record"), "late");
        assertError(as(LATE, "POST", "status/pipeline", "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\"}"),
                403, "forbidden", null);

        // Scope changed: applies at once.
        List<String> narrowed = new ArrayList<>(initialTokens());
        narrowed.add("late " + sha256(LATE) + " write:lab-2 write:prod-web");
        writeTokens(narrowed);
        assertError(assertChangesNothing(() -> as(LATE, "POST", "status/pipeline", lateWrite)), 403, "forbidden", null);
        assertEquals(200, as(LATE, "POST", "status/pipeline",
                "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\"}").status());

        // Removed: revoked at once, for writes and deletes.
        writeTokens(List.of("ops " + sha256(ALL) + " write:*", "late " + sha256(LATE) + " write:lab-2 write:prod-web"));
        assertUnauthorized(assertChangesNothing(() -> as(PROD, "POST", "status/pipeline",
                "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\"}")));
        assertUnauthorized(assertChangesNothing(() -> as(PROD, "DELETE", "status/prod-web/h1", null)));
        assertEquals(200, as(LATE, "POST", "status/pipeline",
                "{\"server_group\":\"prod-web\",\"host\":\"h2\",\"status\":\"synced\"}").status());
    }

    @Test
    void aMalformedChangeKeepsThePreviousTokensAndTheServiceWorking() {
        // Half-edited: prod-ci removed, late added, one bad line. None of it may apply.
        writeTokens(List.of(
                "ops " + sha256(ALL) + " write:*",
                "late " + sha256(LATE) + " write:*",
                "prod-ci " + sha256(PROD) + " write:prod-* root"));
        for (int i = 0; i < 2; i++) {
            assertEquals(200, as(PROD, "POST", "status/pipeline",
                    "{\"server_group\":\"prod-web\",\"host\":\"h" + i + "\",\"status\":\"synced\"}").status(),
                    "the previous token stopped working");
            assertError(as(PROD, "POST", "status/pipeline", "{\"server_group\":\"lab\",\"host\":\"h1\",\"status\":\"synced\"}"),
                    403, "forbidden", null);
            assertEquals(200, as(ALL, "POST", "status/pipeline",
                    "{\"server_group\":\"lab\",\"host\":\"h" + i + "\",\"status\":\"synced\"}").status());
            assertUnauthorized(assertChangesNothing(() -> as(LATE, "POST", "status/pipeline",
                    "{\"server_group\":\"lab\",\"host\":\"late\",\"status\":\"synced\"}")));
            assertUnauthorized(assertChangesNothing(() -> call(null, "POST", "status/pipeline",
                    "{\"server_group\":\"lab\",\"host\":\"anon\",\"status\":\"synced\"}")));
            assertEquals(200, get("status").status());
            assertEquals(200, get("ready").status());
            assertEquals(200, get("health").status());
        }

        // Fixed: the new content applies.
        writeTokens(List.of("ops " + sha256(ALL) + " write:*", "late " + sha256(LATE) + " write:*"));
        assertEquals(200, as(LATE, "POST", "status/pipeline",
                "{\"server_group\":\"lab\",\"host\":\"late\",\"status\":\"synced\"}").status());
        assertUnauthorized(as(PROD, "POST", "status/pipeline",
                "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\"}"));
    }

    @Test
    void anEmptyTokenFileRefusesEveryWrite() {
        writeTokens(List.of("# every token revoked"));
        for (String token : List.of(PROD, ALL)) {
            for (Write write : writesOn("prod-web")) {
                assertUnauthorized(assertChangesNothing(() -> as(token, write.method(), write.path(), write.body())));
            }
        }
        assertEquals(200, get("status").status(), "reads stay open");
        assertEquals("[]", get("status").body().replaceAll("\\s", ""));
    }
}
