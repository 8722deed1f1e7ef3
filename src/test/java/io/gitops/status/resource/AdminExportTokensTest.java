package io.gitops.status.resource;

import static io.gitops.status.resource.TokensApiTest.REALM;
import static io.gitops.status.resource.TokensApiTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.config.AppConfig;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/export} with tokens on: only a token with the {@code admin} scope, whether or
 * not reads need a token, and that scope opens nothing else — no read, no write, no badge.
 */
class AdminExportTokensTest extends ApiTestSupport {

    static final String ADMIN = "backup-job-secret-5c1e";
    static final String OPS = "ops-everything-secret-8d02";
    static final String READER = "grafana-reader-secret-3a77";
    static final String WRITER = "ci-writer-secret-61f4";
    static final String BADGE = "readme-badge-secret-09bb";
    static final String BADGE_ADMIN = "badge-and-admin-secret-7e21";

    private Path tokenFile;

    @Override
    protected AppConfig config(AppConfig defaults) {
        tokenFile = storeDir.resolve("tokens");
        writeTokens(true);
        return defaults.withTokenFile(tokenFile);
    }

    /** The token file, with or without the {@code read} scope (without it, reads need no token). */
    private void writeTokens(boolean withRead) {
        List<String> lines = new ArrayList<>(List.of(
                "backup  " + sha256(ADMIN) + " admin",
                "ops     " + sha256(OPS) + " write:* admin" + (withRead ? " read" : ""),
                "ci      " + sha256(WRITER) + " write:*",
                "readme  " + sha256(BADGE) + " badge",
                "mixed   " + sha256(BADGE_ADMIN) + " badge admin"));
        if (withRead) {
            lines.add("grafana " + sha256(READER) + " read");
        }
        try {
            Files.write(tokenFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer request(String token, String method, String path, String json) {
        Invocation.Builder request = target(path).request();
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        try (Response response = json == null ? request.method(method)
                : request.method(method, Entity.entity(json, MediaType.APPLICATION_JSON))) {
            if (response.getStatus() == 401) {
                assertEquals(REALM, response.getHeaderString("WWW-Authenticate"), method + " " + path);
            }
            return answer(response);
        }
    }

    private Answer export(String token) {
        return request(token, "GET", "admin/export", null);
    }

    /** The answers that do not depend on whether reads need a token. */
    private void assertOnlyAdminTokensExport() {
        assertError(export(null), 401, "unauthorized", null);
        assertError(export("not-a-token"), 401, "unauthorized", null);
        for (String token : List.of(WRITER, BADGE)) {
            assertError(export(token), 403, "forbidden", null);
        }
        for (String token : List.of(ADMIN, OPS, BADGE_ADMIN)) {
            Answer a = export(token);
            assertEquals(200, a.status(), a.body());
            assertEquals("no-store", a.cacheControl());
            assertEquals("2.0", a.json().get("version").textValue());
        }
        // Never from the URL: ?token= is for badge-only tokens on badge paths.
        assertError(answer(target("admin/export").queryParam("token", ADMIN).request().get()), 401, "unauthorized",
                null);
        // A client without the scope learns nothing about the admin paths, not even what is there.
        assertError(request(null, "GET", "admin/nothing", null), 401, "unauthorized", null);
        assertError(request(WRITER, "POST", "admin/export", "{}"), 403, "forbidden", null);
        assertError(request(ADMIN, "POST", "admin/export", "{}"), 405, "method_not_allowed", null);
    }

    @Test
    void withReadTokensOnlyAnAdminTokenExports() {
        assertOnlyAdminTokensExport();
        assertError(export(READER), 403, "forbidden", null);
    }

    @Test
    void withReadsOpenTheExportStillNeedsAnAdminToken() {
        writeTokens(false);
        assertEquals(200, get("status").status(), "reads need no token now");
        assertOnlyAdminTokensExport();
    }

    @Test
    void noSpellingOfThePathGetsPastTheScope() {
        writeTokens(false); // reads open: a path not taken for the export's would be
        for (String path : List.of("admin;x=1/export", "admin/export;x=1", "%61dmin/export", "admin/%65xport",
                "admin//export", "/admin/export", "admin/export/", "./admin/export", "x/../admin/export")) {
            // 400: a path the container itself refuses (admin//export in Jetty).
            Answer a = request(null, "GET", path, null);
            assertTrue(List.of(400, 401, 404).contains(a.status()), path + " answered " + a.status() + " " + a.body());
        }
    }

    @Test
    void anAdminTokenReadsNothing() {
        for (String path : List.of("status", "status/files", "status/summary", "status/prod/h1",
                "status/prod/h1/history", "events", "metrics", "api/status", "status.json")) {
            assertError(request(ADMIN, "GET", path, null), 403, "forbidden", null);
        }
    }

    @Test
    void anAdminTokenWritesNothing() {
        writeTokens(false); // reads open, so that assertChangesNothing sees the list
        assertEquals(200, request(OPS, "POST", "status/pipeline",
                "{\"server_group\": \"prod\", \"host\": \"h1\", \"status\": \"synced\"}").status());
        for (TokensApiTest.Write write : TokensApiTest.writesOn("prod")) {
            assertError(assertChangesNothing(() -> request(ADMIN, write.method(), write.path(), write.body())),
                    403, "forbidden", null);
        }
    }

    @Test
    void anAdminTokenFetchesNoBadge() {
        for (String path : BadgeTokensTest.BADGES) {
            assertError(request(ADMIN, "GET", path, null), 403, "forbidden", null);
            assertError(answer(target(path).queryParam("token", ADMIN).request().get()), 403, "forbidden", null);
            // With badge as well it may fetch badges, but never from the URL, where it would leak the export.
            int status = request(BADGE_ADMIN, "GET", path, null).status();
            assertTrue(status == 200 || status == 404, path + " answered " + status);
            assertError(answer(target(path).queryParam("token", BADGE_ADMIN).request().get()), 403, "forbidden",
                    null);
        }
    }
}
