package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The status page's files as the service serves them (the page itself is tested in a browser by
 * StatusPageIT): {@code GET /} answers the page only to a client that prefers HTML, each file has
 * its content type, a strong ETag and a 304, and nothing but the page's own files can be named.
 */
class StatusPageTest extends ApiTestSupport {

    static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    @Test
    void rootIsThePageForBrowsersAndJsonForEveryoneElse() {
        Response page = request("/", BROWSER_ACCEPT);
        assertEquals(200, page.getStatus());
        assertTrue(page.getMediaType().isCompatible(jakarta.ws.rs.core.MediaType.TEXT_HTML_TYPE), page.getMediaType().toString());
        String html = page.readEntity(String.class);
        assertTrue(html.contains("<script type=\"module\" src=\"ui/app.js\">"), "relative URLs: " + html);
        assertTrue(page.getHeaderString(HttpHeaders.VARY).contains("Accept"));
        assertEquals("no-cache", page.getHeaderString(HttpHeaders.CACHE_CONTROL));

        for (String accept : new String[] {null, "*/*", "application/json", "text/html;q=0.5, application/json",
                "text/html, application/json"}) {
            Response json = request("/", accept);
            assertEquals(200, json.getStatus(), accept);
            assertTrue(json.getMediaType().toString().startsWith("application/json"), accept + " → " + json.getMediaType());
            json.close();
        }
    }

    @Test
    void filesHaveTheirTypeAStrongTagAndA304() {
        for (String[] file : List.of(new String[] {"app.js", "text/javascript"}, new String[] {"style.css", "text/css"},
                new String[] {"index.html", "text/html"}, new String[] {"favicon.svg", "image/svg+xml"})) {
            Response first = request("/ui/" + file[0], null);
            assertEquals(200, first.getStatus(), file[0]);
            assertTrue(first.getHeaderString(HttpHeaders.CONTENT_TYPE).startsWith(file[1]), first.getHeaderString(HttpHeaders.CONTENT_TYPE));
            String tag = first.getHeaderString(HttpHeaders.ETAG);
            assertNotNull(tag, file[0]);
            assertTrue(tag.matches("\"[0-9a-f]{32}\""), tag);
            assertEquals("nosniff", first.getHeaderString("X-Content-Type-Options"));
            first.close();
            Response again = target("ui/" + file[0]).request().header(HttpHeaders.IF_NONE_MATCH, tag).get();
            assertEquals(304, again.getStatus(), file[0]);
        }
    }

    /** Names that are not files are answered 404 and never kept: requests cannot grow memory. */
    @Test
    void missingFilesAreNotRemembered() {
        target("ui/app.js").request().get().close();
        int kept = StatusPage.cachedFiles();
        for (int i = 0; i < 200; i++) {
            try (Response missing = target("ui/missing-" + i + ".js").request().get()) {
                assertEquals(404, missing.getStatus());
            }
        }
        assertEquals(kept, StatusPage.cachedFiles());
    }

    @Test
    void onlyThePagesOwnFilesCanBeNamed() {
        for (String path : List.of("ui/nothing.js", "ui/gitops-status.properties", "ui/..%2Fgitops-status.properties",
                "ui/%2E%2E%2Fapp.js", "ui/App.JS", "ui/")) {
            Response answer = target(path).request().get();
            // Jetty itself refuses an encoded slash (400); whatever reaches the page's files is a 404.
            assertTrue(answer.getStatus() == 404 || answer.getStatus() == 400, path + ": " + answer.getStatus());
            answer.close();
        }
    }

    private Response request(String path, String accept) {
        var builder = target(path).request();
        if (accept != null) {
            builder.header(HttpHeaders.ACCEPT, accept);
        }
        return builder.get();
    }
}
