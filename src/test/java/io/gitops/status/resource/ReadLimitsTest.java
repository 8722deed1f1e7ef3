package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** List filters take at most 1,000 values each; metrics label values are cut to 128 characters. */
class ReadLimitsTest extends ApiTestSupport {

    private static List<String> values(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("host-" + i);
        }
        return values;
    }

    @Test
    void aFilterTakesAThousandValuesNotMore() {
        pipelineOk("{\"server_group\":\"g\",\"host\":\"host-999\",\"status\":\"synced\"}");
        // Short values: a thousand distinct ones would pass the server's URI length limit first.
        List<String> thousand = new ArrayList<>(java.util.Collections.nCopies(999, "x"));
        thousand.add("host-999");
        Answer a = answer(target("status").queryParam("host", thousand.toArray()).request().get());
        assertEquals(200, a.status(), a.body());
        assertEquals(1, a.json().size());

        thousand.add("y");
        for (String path : List.of("status", "status/files", "status/summary", "events")) {
            assertError(answer(target(path).queryParam("host", thousand.toArray()).request().get()), 400,
                    "validation_failed", "host");
        }
        String body = "{\"host\": [" + String.join(",", values(1001).stream().map(v -> "\"" + v + "\"").toList())
                + "]}";
        assertError(post("status/delete", body), 400, "validation_failed", "host");
        assertEquals(1, get("status").json().size(), "nothing deleted");
    }

    @Test
    void longLabelValuesAreCutAndStayDistinct() {
        String prefix = "h".repeat(200);
        String environment = "e".repeat(4000);
        pipelineOk("{\"server_group\":\"g\",\"host\":\"" + prefix + "1\",\"status\":\"synced\",\"environment\":\""
                + environment + "\"}");
        pipelineOk("{\"server_group\":\"g\",\"host\":\"" + prefix + "2\",\"status\":\"synced\"}");
        String metrics = get("metrics").body();
        Matcher label = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(metrics);
        while (label.find()) {
            assertTrue(label.group(2).length() <= MetricsResource.MAX_LABEL_CHARS, label.group());
        }
        assertTrue(metrics.contains("environment=\"" + "e".repeat(119) + "~"), "cut with a hash");
        assertEquals(MetricsResource.MAX_LABEL_CHARS, MetricsResource.cut(prefix + "1").length());
        assertNotEquals(MetricsResource.cut(prefix + "1"), MetricsResource.cut(prefix + "2"));
        assertEquals("short", MetricsResource.cut("short"));
        assertTrue(metrics.contains("host=\"" + MetricsResource.cut(prefix + "1") + "\""));
        assertTrue(metrics.contains("host=\"" + MetricsResource.cut(prefix + "2") + "\""));
    }
}
