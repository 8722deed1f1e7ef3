package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import io.gitops.status.process.ReportScript.Result;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report helper's test bench: the application in its own JVM ({@link ServerProcess}),
 * a {@link FaultyProxy} in front of it, and the script ({@link ReportScript}) pointed at the proxy
 * through {@code GITOPS_STATUS_URL}. Records are read back from the server directly.
 */
final class ReportFixture implements AutoCloseable {

    final ServerProcess server;
    final FaultyProxy proxy;
    final ReportScript script;

    private ReportFixture(ServerProcess server, FaultyProxy proxy, ReportScript script) {
        this.server = server;
        this.proxy = proxy;
        this.script = script;
    }

    /** A server on a data file in {@code dir}, its JVM run with {@code jvmOptions} (a token file...). */
    static ReportFixture start(Path dir, List<String> jvmOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
        options.addAll(jvmOptions);
        ServerProcess server = ServerProcess.start(dir.resolve("status.json"), dir.resolve("server.log"), options);
        FaultyProxy proxy = new FaultyProxy(server.base());
        return new ReportFixture(server, proxy, ReportScript.in(Files.createDirectories(dir.resolve("script"))));
    }

    /** Runs the script with GITOPS_STATUS_URL pointing at the proxy (unless {@code env} sets it). */
    Result report(Map<String, String> env, String... args) throws Exception {
        return script.run(env(env), args);
    }

    Result report(Map<String, String> env, String stdin, List<String> driver, List<String> args) throws Exception {
        return script.run(env(env), stdin, driver, args);
    }

    Map<String, String> env(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("GITOPS_STATUS_URL", proxy.base().toString());
        return all;
    }

    /** The record {@code group/host} as the server answers it now. */
    JsonNode read(String key) throws Exception {
        HttpResponse<String> response = server.get("/status/" + key);
        assertEquals(200, response.statusCode(), response.body());
        return Json.mapper().readTree(response.body());
    }

    /** The {@code ignored_fields} of the server's last answer to a write through the proxy. */
    List<String> ignoredFieldsOfLastWrite() throws Exception {
        List<String> answers = proxy.answers();
        assertFalse(answers.isEmpty(), "a write went through the proxy");
        return strings(Json.mapper().readTree(answers.get(answers.size() - 1)).get("ignored_fields"));
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.textValue()));
        return values;
    }

    @Override
    public void close() throws Exception {
        try (script; proxy) {
            server.close();
        }
    }
}
