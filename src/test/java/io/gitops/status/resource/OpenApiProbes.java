package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The requests that {@link OpenApiAnswersTest} sends to the live application, each with the route
 * of the document it is checked against and the status it must get. Most are derived from the
 * document itself ({@link #derived}): a 401 for every route that documents one, a 415 for every
 * route that documents one, and so on; the table below ({@link #explicit}) holds the answers that
 * need a particular request — the successes and the errors of one route. A new path needs its
 * document entry and its rows here; the test fails until every status it documents (500 aside)
 * has been seen.
 */
final class OpenApiProbes {

    /** The application a probe runs against; see {@link OpenApiAnswersTest#application}. */
    enum Setup {
        /** Tokens off, a few servers written before the probes, {@code maxChangedFiles} 5. */
        PLAIN,
        /** A token file with a read token, a write token for {@code prod-*}, a badge token and an admin token; nothing stored. */
        TOKENS,
        /**
         * A damaged data file, and a rules file whose notifier cannot read its saved state (a folder
         * where the file store keeps it; on PostgreSQL the database is gone anyway).
         */
        DAMAGED,
        /** {@code maxHosts} 1, one server stored. */
        FULL,
        /**
         * The servers of {@link #PLAIN} and a rules file ({@code notifyFile}): a rule that fires at
         * once to receivers that accept and to one that refuses connections (tried again after a
         * day), and one that waits a day; the notifier has looked at least once.
         */
        NOTIFY,
        /**
         * Tokens off, nothing stored, the application under the context path {@link #CONTEXT}, as a
         * servlet container gives it one (see {@link OpenApiAnswersTest.UnderContextPath}).
         */
        CONTEXT
    }

    /** The context path of the {@link Setup#CONTEXT} setup, without slashes. */
    static final String CONTEXT = "gitops-status";
    /** What a browser's navigation sends. */
    static final String BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    static final String READER = "openapi-reader-secret";
    static final String WRITER = "openapi-writer-secret";
    /** A token whose only scope is {@code badge}: the one kind a badge takes in {@code ?token=}. */
    static final String BADGER = "openapi-badger-secret";
    /** A token whose only scope is {@code admin}: the export, and nothing else. */
    static final String ADMIN = "openapi-admin-secret";
    /** A header value standing for the {@code ETag} of the same request sent first without it. */
    static final String PREVIOUS_TAG = "<the ETag of a first answer>";
    static final String BIG_BODY = "{\"x\": \"" + "a".repeat(1024 * 1024) + "\"}";

    /**
     * One request and what it must get: {@code route} is the document's operation the answer is
     * checked against, {@code method} the request's (another one for a 405), {@code path} the
     * request's path and query.
     */
    record Probe(Setup setup, String route, String method, String path, String body, String contentType,
            Map<String, String> headers, int expected) {

        Probe(Setup setup, String route, String path, int expected) {
            this(setup, route, route.substring(0, route.indexOf(' ')), path, null, null, Map.of(), expected);
        }

        Probe body(String json) {
            return body(json, "application/json");
        }

        Probe body(String text, String type) {
            return new Probe(setup, route, method, path, text, type, headers, expected);
        }

        Probe header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Probe(setup, route, method, path, body, contentType, more, expected);
        }

        Probe method(String other) {
            return new Probe(setup, route, other, path, body, contentType, headers, expected);
        }

        Probe withPath(String other) {
            return new Probe(setup, route, method, other, body, contentType, headers, expected);
        }

        Probe expecting(int status, Setup in) {
            return new Probe(in, route, method, path, body, contentType, headers, status);
        }

        @Override
        public String toString() {
            return setup + " " + method + " /" + path + (body == null ? "" : " " + abbreviated(body)) + " -> "
                    + expected + (headers.isEmpty() ? "" : " " + headers.keySet());
        }

        private static String abbreviated(String text) {
            return text.length() > 60 ? text.substring(0, 60) + "..." : text;
        }
    }

    private OpenApiProbes() {
    }

    static Probe probe(Setup setup, String route, String path, int expected) {
        return new Probe(setup, route, path, expected);
    }

    /** The requests that need a particular body, query or state, in the order they run. */
    static List<Probe> explicit() {
        Setup p = Setup.PLAIN;
        String pipeline = "POST /status/pipeline";
        String cron = "POST /status/cron";
        String legacy = "POST /api/status";
        String bulk = "POST /status/delete";
        return List.of(
                probe(p, pipeline, "status/pipeline", 200).body(SeedExamples.PIPELINE),
                probe(p, pipeline, "status/pipeline", 200).body(
                        "{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"FAILED\", \"extra\": 1}"),
                probe(p, pipeline, "status/pipeline", 400).body("{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"fine\"}"),
                probe(p, pipeline, "status/pipeline", 400).body("{\"server_group\": \"files\", \"host\": \"h\", \"status\": \"synced\"}"),
                probe(p, pipeline, "status/pipeline", 413).body("{\"server_group\": \"prod-web\", \"host\": \"web-01\", "
                        + "\"status\": \"synced\", \"changed_files\": [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]}"),
                probe(p, cron, "status/cron", 200).body(SeedExamples.CRON_DRIFT),
                probe(p, cron, "status/cron", 404).body("{\"server_group\": \"prod-web\", \"host\": \"web-99\"}"),
                probe(p, cron, "status/cron", 400).body("{\"server_group\": \"prod-web\"}"),
                probe(p, legacy, "api/status", 200).body(SeedExamples.V1_DRIFT),
                probe(p, legacy, "api/status", 400).body("{\"repo\": \"rsyslog\", \"server\": \"lab\", \"sync_status\": \"GREEN\"}"),
                probe(p, "GET /status", "status", 200),
                probe(p, "GET /status", "status?status=OUT_OF_SYNC&status=failed&environment=prod&_=1", 200),
                probe(p, "GET /status", "status?stale=true", 200),
                probe(p, "GET /status", "status?colour=red", 400),
                probe(p, "GET /status", "status?stale=maybe", 400),
                probe(p, "GET /status/files", "status/files", 200),
                probe(p, "GET /status/files", "status/files?server_group=prod-web&stale=false", 200),
                probe(p, "GET /status/summary", "status/summary", 200),
                probe(p, "GET /status/summary", "status/summary?status=nothing-matches", 200),
                probe(p, "GET /status/{server_group}", "status/prod-web", 200),
                probe(p, "GET /status/{server_group}", "status/no-such-group", 200),
                probe(p, "GET /status/{server_group}/{host}", "status/prod-web/web-01", 200),
                probe(p, "GET /status/{server_group}/{host}", "status/prod-web/web-99", 404),
                probe(p, "GET /status/{server_group}/{host}/history", "status/prod-web/web-01/history", 200),
                probe(p, "GET /status/{server_group}/{host}/history", "status/prod-web/web-99/history", 404),
                probe(p, "GET /events", "events", 200),
                probe(p, "GET /events", "events?since=0&until=99999999999999&limit=1", 200),
                probe(p, "GET /events", "events?format=page&limit=1&server_group=prod-web", 200),
                probe(p, "GET /events", "events?format=page&since=2026-04-26T00:00:00Z", 200),
                probe(p, "GET /events", "events?limit=0", 400),
                probe(p, "GET /events", "events?since=yesterday", 400),
                probe(p, "GET /events", "events?format=csv", 400),
                probe(p, "GET /metrics", "metrics", 200),
                probe(p, "GET /notifications", "notifications", 200),
                probe(Setup.NOTIFY, "GET /notifications", "notifications", 200),
                probe(Setup.NOTIFY, "GET /metrics", "metrics", 200),
                probe(p, "GET /api/status", "api/status", 200),
                probe(p, "GET /status.json", "status.json", 200),
                probe(p, "GET /admin/export", "admin/export", 200),
                probe(p, "GET /", "", 200),
                probe(p, "GET /", "", 200).header("Accept", BROWSER),
                probe(p, "GET /", "", 304).header("Accept", BROWSER).header("If-None-Match", PREVIOUS_TAG),
                probe(p, "GET /ui/{file}", "ui/index.html", 200).header("Accept", BROWSER),
                probe(p, "GET /ui/{file}", "ui/style.css", 200).header("Accept", "text/css,*/*;q=0.1"),
                probe(p, "GET /ui/{file}", "ui/app.js", 200).header("Accept", "*/*"),
                probe(p, "GET /ui/{file}", "ui/favicon.svg", 200).header("Accept", "image/avif,image/webp,*/*"),
                probe(p, "GET /ui/{file}", "ui/favicon.svg", 200).header("Accept", "application/xml"),
                probe(p, "GET /ui/{file}", "ui/app.js", 304).header("Accept", "*/*").header("If-None-Match", PREVIOUS_TAG),
                probe(p, "GET /ui/{file}", "ui/nothing.js", 404).header("Accept", "*/*"),
                probe(p, "GET /ui/{file}", "ui/App.JS", 404).header("Accept", "*/*"),
                probe(p, "GET /health", "health", 200),
                probe(p, "GET /ready", "ready", 200),
                probe(p, "GET /openapi.json", "openapi.json", 200),
                probe(p, "GET /badge.svg", "badge.svg", 200),
                probe(p, "GET /badge.svg", "badge.svg?label=fleet&v=2", 200),
                probe(p, "GET /badge.svg", "badge.svg?label=", 400),
                probe(p, "GET /badge.json", "badge.json", 200),
                probe(p, "GET /badge.json", "badge.json?label=" + "x".repeat(65), 400),
                probe(p, "GET /badge/{server_group}.svg", "badge/prod-web.svg", 200),
                probe(p, "GET /badge/{server_group}.svg", "badge/no-such-group.svg?label=nothing", 404),
                probe(p, "GET /badge/{server_group}.svg", "badge/-web.svg", 400),
                probe(p, "GET /badge/{server_group}.json", "badge/prod-web.json?label=web&_=1", 200),
                probe(p, "GET /badge/{server_group}.json", "badge/no-such-group.json", 404),
                probe(p, "GET /badge/{server_group}.json", "badge/prod-web.json?label=a%E2%80%AEb", 400),
                probe(p, "GET /badge/{server_group}/{host}.svg", "badge/prod-web/web-01.svg", 200),
                probe(p, "GET /badge/{server_group}/{host}.svg", "badge/prod-web/web-99.svg", 404),
                probe(p, "GET /badge/{server_group}/{host}.svg", "badge/prod-web/-web.svg", 400),
                probe(p, "GET /badge/{server_group}/{host}.json", "badge/prod-web/web-02.json", 200),
                probe(p, "GET /badge/{server_group}/{host}.json", "badge/prod-web/web-99.json", 404),
                probe(p, "GET /badge/{server_group}/{host}.json", "badge/-prod/web-01.json", 400),
                probe(p, bulk, "status/delete", 200).body("{\"server_group\": \"lab\", \"status\": [\"failed\", \"UNKNOWN\"]}"),
                probe(p, bulk, "status/delete", 200).body("{\"server_group\": \"nothing-here\", \"stale\": true}"),
                probe(p, bulk, "status/delete", 400).body("{\"_\": 1}"),
                probe(p, bulk, "status/delete", 400).body("{\"colour\": \"red\"}"),
                probe(p, "DELETE /status/{server_group}/{host}", "status/lab/old-03", 204),
                probe(p, "DELETE /status/{server_group}/{host}", "status/lab/old-03", 404),
                probe(p, "DELETE /status/{server_group}", "status/lab2", 204),
                probe(p, "DELETE /status/{server_group}", "status/lab2", 404),
                probe(Setup.TOKENS, pipeline, "status/pipeline", 200).body(
                        "{\"server_group\": \"prod-web\", \"host\": \"web-07\", \"status\": \"synced\"}")
                        .header("Authorization", "Bearer " + WRITER),
                probe(Setup.TOKENS, "GET /status", "status", 200).header("Authorization", "Bearer " + READER),
                probe(Setup.TOKENS, "GET /status", "status", 403).header("Authorization", "Bearer " + ADMIN),
                probe(Setup.TOKENS, "GET /admin/export", "admin/export", 200).header("Authorization", "Bearer " + ADMIN),
                probe(Setup.TOKENS, "GET /admin/export", "admin/export", 403).header("Authorization", "Bearer " + READER),
                probe(Setup.TOKENS, "GET /notifications", "notifications", 200).header("Authorization", "Bearer " + READER),
                probe(Setup.TOKENS, "GET /health", "health", 200),
                probe(Setup.TOKENS, "GET /openapi.json", "openapi.json", 200),
                probe(Setup.TOKENS, "GET /openapi.json", "openapi.json", 200).header("Authorization", "Bearer not-a-token"),
                probe(Setup.TOKENS, "GET /openapi.json", "openapi.json", 304).header("If-None-Match", PREVIOUS_TAG),
                probe(Setup.TOKENS, "GET /", "", 200).header("Accept", BROWSER),
                probe(Setup.TOKENS, "GET /ui/{file}", "ui/app.js", 200).header("Accept", "*/*"),
                probe(Setup.TOKENS, "GET /ui/{file}", "ui/style.css", 200).header("Accept", "text/css,*/*;q=0.1")
                        .header("Authorization", "Bearer not-a-token"),
                probe(Setup.CONTEXT, "GET /", CONTEXT, 302).header("Accept", BROWSER),
                probe(Setup.CONTEXT, "GET /", CONTEXT + "/", 200).header("Accept", BROWSER),
                probe(Setup.CONTEXT, "GET /", CONTEXT, 200),
                probe(Setup.TOKENS, "GET /badge.svg", "badge.svg?token=" + BADGER, 200),
                probe(Setup.TOKENS, "GET /badge.json", "badge.json", 200).header("Authorization", "Bearer " + READER),
                probe(Setup.TOKENS, "GET /badge.json", "badge.json?token=" + BADGER, 200),
                probe(Setup.TOKENS, "GET /badge/{server_group}.svg", "badge/prod-web.svg?token=" + BADGER, 200),
                probe(Setup.TOKENS, "GET /badge/{server_group}/{host}.json", "badge/prod-web/web-99.json", 404)
                        .header("Authorization", "Bearer " + BADGER),
                probe(Setup.TOKENS, "GET /badge.svg", "badge.svg?token=" + READER, 403),
                probe(Setup.TOKENS, "GET /badge.json", "badge.json?token=not-a-token", 401),
                probe(Setup.FULL, pipeline, "status/pipeline", 409).body(SeedExamples.PIPELINE),
                probe(Setup.FULL, legacy, "api/status", 409).body(SeedExamples.V1_DRIFT),
                probe(Setup.DAMAGED, "GET /ready", "ready", 503));
    }

    /**
     * The probes the document itself calls for: for every route, each status that any route of its
     * kind answers the same way — 304 by revalidating (where every success carries an {@code ETag}:
     * {@code GET /} tags only its page, which an explicit probe asks for), 400 with a malformed body or an unknown
     * parameter (on a route that refuses unknown ones; badges ignore them), 401 without a token, 403 with a token of the wrong kind, 405 with PUT, 406 with
     * {@code Accept: application/xml}, 413 with a body over 1 MiB, 415 with a text body, 503 over a
     * damaged data file.
     */
    static List<Probe> derived(OpenApiDocument document) {
        List<Probe> probes = new ArrayList<>();
        for (String route : document.routes()) {
            Set<Integer> statuses = document.statuses(route);
            String path = samplePath(route);
            boolean write = !route.startsWith("GET ");
            String body = document.requestExamples(route).values().stream().findFirst().map(Object::toString)
                    .orElse(null);
            Probe base = body == null ? probe(Setup.PLAIN, route, path, 0) : probe(Setup.PLAIN, route, path, 0).body(body);
            if (statuses.contains(304) && document.alwaysTagged(route)) {
                probes.add(with(base, 304).header("If-None-Match", PREVIOUS_TAG));
            }
            if (statuses.contains(400) && body != null) {
                probes.add(with(base, 400).body("{\"server_group\": "));
            } else if (statuses.contains(400) && document.refusesUnknownParameters(route)) {
                probes.add(with(base, 400).withPath(path + "?colour=red"));
            }
            if (statuses.contains(401)) {
                probes.add(with(base, 401, Setup.TOKENS));
                probes.add(with(base, 401, Setup.TOKENS).header("Authorization", "Bearer not-a-token"));
            }
            if (statuses.contains(403)) {
                probes.add(with(base, 403, Setup.TOKENS).header("Authorization", "Bearer " + (write ? READER : WRITER)));
            }
            if (statuses.contains(405)) {
                probes.add(with(base, 405).method("PUT").body("{}"));
            }
            if (statuses.contains(406)) {
                probes.add(with(base, 406).header("Accept", "application/xml"));
            }
            if (statuses.contains(413)) {
                probes.add(with(base, 413).body(BIG_BODY));
            }
            if (statuses.contains(415)) {
                probes.add(with(base, 415).body(body, "text/plain"));
            }
            if (statuses.contains(503) && !route.equals("GET /ready")) {
                probes.add(with(base, 503, Setup.DAMAGED));
            }
        }
        return probes;
    }

    private static Probe with(Probe base, int expected) {
        return base.expecting(expected, base.setup());
    }

    private static Probe with(Probe base, int expected, Setup setup) {
        return base.expecting(expected, setup);
    }

    /** A route's path with its parameters filled in by a server that the PLAIN setup holds, or a file of the page. */
    static String samplePath(String route) {
        return route.substring(route.indexOf(' ') + 2).replace("{server_group}", "prod-web").replace("{host}", "web-01")
                .replace("{file}", "index.html");
    }
}
