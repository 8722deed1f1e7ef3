package io.gitops.status.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The status page in Chromium, against the built WAR deployed at the non-root context path
 * {@code /gitops-status} of Tomcat 10.1: the tiles and their counts, the filters and the URL that
 * carries them, a host's details with its history, the refresh (304s change nothing, a write
 * shows up without a reload), the note when the store is unavailable (503), and an axe-core scan.
 * It also takes the two screenshots of the docs ({@code target/status-page/*.png}).
 *
 * <p>One container is enough for a page that the WAR serves the same way everywhere; in the other
 * failsafe executions the class is skipped. Without Chromium it fails in CI ({@code CI} set, where
 * {@code .ci/run} installs it) and is skipped with a message elsewhere. A failed test leaves a
 * screenshot and the page source in {@code target/browser-failures/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageIT {

    static final String CONTAINER = "tomcat10x";
    static final Duration REFRESH_WAIT = Duration.ofSeconds(20);
    static final Path TARGET = Path.of(System.getProperty("it.workdir", "target/cargo-it")).getParent();

    private final HttpClient http = HttpClient.newHttpClient();
    private CargoContainer c;
    private Browser browser;

    @RegisterExtension
    final BrowserFailures failures = new BrowserFailures(() -> browser, TARGET.resolve("browser-failures"));

    @BeforeAll
    void start() throws Exception {
        assumeTrue(CONTAINER.equals(System.getProperty("it.container")), "the browser tests run in " + CONTAINER + " only");
        String missing = Browser.missing();
        if (missing != null) {
            if (System.getenv("CI") != null) {
                fail(missing);
            }
            assumeTrue(false, "status page not tested in a browser: " + missing);
        }
        c = CargoContainer.fromSystemProperties("status-page", Map.of(), Map.of());
        c.start();
        seed();
        browser = new Browser(TARGET.resolve("browser-profiles"));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (c != null && c.isStarted()) {
            c.stop();
        }
    }

    /** Three groups: web-prod (failed, out of sync, synced), db-prod (synced, one stale), lab (unknown). */
    private void seed() {
        pipeline("web-prod", "web-01", "synced", "prod", "nginx", "\"validation_status\": \"passed\"");
        pipeline("web-prod", "web-02", "synced", "prod", "nginx", "\"validation_status\": \"passed\"");
        post("/status/cron", """
                {"server_group": "web-prod", "host": "web-02", "status": "out_of_sync",
                 "changed_files": ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf"]}""");
        pipeline("web-prod", "web-03", "failed", "prod", "nginx", """
                "validation_status": "failed",
                "validation_message": "nginx: [emerg] unknown directive \\"proxy_pas\\" in /etc/nginx/conf.d/app.conf:12\"""");
        pipeline("db-prod", "db-01", "synced", "prod", "postgres", "\"validation_status\": \"passed\"");
        pipeline("db-prod", "db-02", "synced", "prod", "postgres", "\"validation_status\": \"passed\"");
        // Its drift checks stopped long ago: stale.
        post("/status/cron", "{\"server_group\": \"db-prod\", \"host\": \"db-02\", \"last_cron_check\": \"2026-01-01T00:00:00Z\"}");
        pipeline("lab", "lab-01", "unknown", "lab", "rsyslog", "\"updated_by\": \"ansible\"");
    }

    // ---- the tests, in order -----------------------------------------------------------------

    @Test
    @Order(1)
    void tilesShowEachGroupsWorstStatusAndCountsUnderTheContextPath() {
        // No trailing slash: redirected to /gitops-status/, where the page's relative URLs work.
        open(c.baseUrl());
        assertEquals(c.baseUrl() + "/", browser.driver().getCurrentUrl());
        assertEquals(List.of("", "db-prod", "lab", "web-prod"), texts("#tiles button.tile", "data-group"));
        assertTile("", "s-failed", "All groups", "Failed", "3 / 6 healthy", "1 stale");
        assertTile("web-prod", "s-failed", "web-prod", "Failed", "1 / 3 healthy", "0 stale", "1 failed", "1 out of sync");
        assertTile("db-prod", "s-synced", "db-prod", "Synced", "2 / 2 healthy", "1 stale");
        assertTile("lab", "s-unknown", "lab", "Unknown", "0 / 1 healthy", "0 stale", "1 unknown");
        assertEquals("6 hosts", text("#count"));
        // Worst first by default; each status is a word and a shape, not a colour alone.
        assertEquals(List.of("web-prod/web-03", "web-prod/web-02", "lab/lab-01"), rowKeys().subList(0, 3));
        assertEquals("Failed", text("#hosts tbody tr:first-child .badge"));
        assertFalse(browser.driver().findElements(By.cssSelector("#hosts tbody tr:first-child .badge svg.icon")).isEmpty());
        assertTrue(text("tr[data-key='db-prod/db-02']").contains("Stale"), text("tr[data-key='db-prod/db-02']"));
    }

    @Test
    @Order(2)
    void filtersLiveInTheUrlAndASharedUrlShowsTheSameView() {
        open(c.baseUrl() + "/");
        new Select(find("#f-status")).selectByValue("failed");
        awaitRows(List.of("web-prod/web-03"));
        assertTrue(browser.driver().getCurrentUrl().endsWith("#status=failed"), browser.driver().getCurrentUrl());

        find("#f-clear").click();
        awaitRows(6);
        find("#f-problems").click(); // failed, out of sync, unknown, or stale
        awaitRows(List.of("web-prod/web-03", "web-prod/web-02", "lab/lab-01", "db-prod/db-02"));
        find("#f-q").sendKeys("nginx.conf"); // a changed file's name
        awaitRows(List.of("web-prod/web-02"));
        assertTrue(browser.driver().getCurrentUrl().contains("problems=1"), browser.driver().getCurrentUrl());

        // A shared link, loaded afresh: the same controls and rows.
        open(c.baseUrl() + "/#env=prod&problems=1&sort=host&dir=asc");
        awaitRows(List.of("db-prod/db-02", "web-prod/web-02", "web-prod/web-03"));
        assertEquals("prod", new Select(find("#f-env")).getFirstSelectedOption().getAttribute("value"));
        assertTrue(find("#f-problems").isSelected());
        assertEquals("ascending", find("th[data-key='host']").getAttribute("aria-sort"));
        find("th[data-key='host'] button").click();
        awaitRows(List.of("web-prod/web-03", "web-prod/web-02", "db-prod/db-02"));
        assertTrue(browser.driver().getCurrentUrl().contains("sort=host&dir=desc"), browser.driver().getCurrentUrl());

        // A group's tile filters by the group.
        find("#tiles button[data-group='db-prod']").click();
        awaitRows(List.of("db-prod/db-02"));
        assertEquals("true", find("#tiles button[data-group='db-prod']").getAttribute("aria-pressed"));
    }

    @Test
    @Order(3)
    void enterOnARowOpensTheHostWithFilesValidationAndHistory() {
        open(c.baseUrl() + "/");
        WebElement row = find("tr[data-key='web-prod/web-02']");
        row.sendKeys(Keys.ENTER);
        browser.await(REFRESH_WAIT, "the history of web-02", d -> d.findElements(By.cssSelector("#detail-history tbody tr")).size() == 2);
        assertTrue(find("#detail").isDisplayed());
        assertEquals("web-02 · web-prod", text("#detail-title"));
        assertEquals(List.of("/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf"), texts("#detail-files li", null));
        assertTrue(text("#detail-since").startsWith("Out of sync for "), text("#detail-since"));
        List<String> history = texts("#detail-history tbody tr", null);
        assertTrue(history.get(0).matches(".*Synced Out of sync cron.*2$"), history.get(0));
        assertTrue(history.get(1).matches(".*new Synced pipeline.*0$"), history.get(1));
        assertTrue(browser.driver().getCurrentUrl().contains("host=web-prod%2Fweb-02"), browser.driver().getCurrentUrl());

        // Escape closes it and gives the focus back to the row.
        browser.driver().switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.await(REFRESH_WAIT, "the details closed", d -> !find("#detail").isDisplayed());
        assertEquals("web-prod/web-02", browser.driver().switchTo().activeElement().getAttribute("data-key"));

        // A shared link to a host opens it; its validation message is shown as text.
        open(c.baseUrl() + "/#host=web-prod%2Fweb-03");
        browser.await(REFRESH_WAIT, "web-03's validation", d -> !d.findElements(By.id("detail-validation")).isEmpty());
        assertTrue(text("#detail-validation").contains("unknown directive \"proxy_pas\""), text("#detail-validation"));
        assertTrue(text("#detail-since").startsWith("Failed for "), text("#detail-since"));
    }

    @Test
    @Order(4)
    void axeFindsNoSeriousOrCriticalViolation() {
        open(c.baseUrl() + "/");
        assertNoSeriousViolations("fleet view");
        open(c.baseUrl() + "/#host=web-prod%2Fweb-02");
        browser.await(REFRESH_WAIT, "the details", d -> !d.findElements(By.id("detail-history")).isEmpty());
        assertNoSeriousViolations("a host's details");
    }

    @Test
    @Order(5)
    void screenshotsForTheDocs() {
        open(c.baseUrl() + "/");
        browser.screenshot(TARGET.resolve("status-page/status-page.png"));
        open(c.baseUrl() + "/#host=web-prod%2Fweb-02");
        browser.await(REFRESH_WAIT, "the details", d -> !d.findElements(By.id("detail-history")).isEmpty());
        browser.screenshot(TARGET.resolve("status-page/status-page-host.png"));
    }

    @Test
    @Order(6)
    void refreshChangesNothingOn304AndShowsAWriteWithoutReload() {
        open(c.baseUrl() + "/");
        browser.script("window.notReloaded = true; document.querySelector(\"tr[data-key='db-prod/db-01']\").dataset.mark = 'kept';");
        int polls = counter("polls");
        int renders = counter("renders");
        browser.await(REFRESH_WAIT, "two more polls", d -> counter("polls") >= polls + 2);
        assertEquals(renders, counter("renders"), "304s draw nothing");
        assertEquals("kept", find("tr[data-key='db-prod/db-01']").getAttribute("data-mark"), "the same row elements");

        post("/status/cron", """
                {"server_group": "db-prod", "host": "db-01", "status": "failed",
                 "changed_files": ["/etc/postgresql/pg_hba.conf"]}""");
        browser.await(REFRESH_WAIT, "db-01 failed on screen", d -> text("tr[data-key='db-prod/db-01'] .badge").equals("Failed"));
        assertTrue(text("#tiles button[data-group='db-prod']").contains("1 / 2 healthy"), text("#tiles button[data-group='db-prod']"));
        assertEquals(Boolean.TRUE, browser.script("return window.notReloaded === true"), "no reload");
    }

    @Test
    @Order(7)
    void aDamagedDataFileShowsTheUnavailableNoteUntilItIsRepaired() throws Exception {
        open(c.baseUrl() + "/");
        // Once the data file holds the last write (the journal is folded into it within seconds).
        byte[] healthy = awaitDataFile("pg_hba.conf");
        assertTrue(find("#problem").getAttribute("hidden") != null, "no note while all is well");
        Files.writeString(c.statusFile(), "this is not JSON\n");
        browser.await(REFRESH_WAIT, "the 503 note", d -> find("#problem").isDisplayed());
        assertEquals("alert", find("#problem").getAttribute("role"));
        assertTrue(text("#problem").contains("503") && text("#problem").contains("store_unavailable"), text("#problem"));
        assertEquals(6, rowKeys().size(), "the last data stays on screen");
        assertNoSeriousViolations("the 503 note");

        Files.write(c.statusFile(), healthy);
        browser.await(REFRESH_WAIT, "the note gone", d -> !find("#problem").isDisplayed());
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Loads {@code url} afresh (not as a change of fragment) and waits for the first data. */
    private void open(String url) {
        browser.driver().get("about:blank");
        browser.driver().get(url);
        browser.await(REFRESH_WAIT, "the page's first data at " + url, d -> counter("renders") >= 1);
    }

    private void assertTile(String group, String statusClass, String... texts) {
        WebElement tile = find("#tiles button[data-group='" + group + "']");
        assertTrue(tile.getAttribute("class").contains(statusClass), group + ": " + tile.getAttribute("class"));
        for (String expected : texts) {
            assertTrue(tile.getText().contains(expected), "tile " + group + " lacks '" + expected + "': " + tile.getText());
        }
    }

    private void assertNoSeriousViolations(String what) {
        List<Map<String, Object>> serious = browser.axeViolations().stream()
                .filter(v -> List.of("serious", "critical").contains(v.get("impact")))
                .toList();
        assertEquals(List.of(), serious, "axe-core on " + what);
    }

    private void awaitRows(int count) {
        browser.await(REFRESH_WAIT, count + " rows", d -> rowKeys().size() == count);
    }

    private void awaitRows(List<String> keys) {
        try {
            browser.await(REFRESH_WAIT, "rows " + keys, d -> rowKeys().equals(keys));
        } catch (RuntimeException e) {
            assertEquals(keys, rowKeys(), "rows shown");
        }
    }

    private List<String> rowKeys() {
        return texts("#hosts tbody tr", "data-key");
    }

    /**
     * The texts (whitespace folded) or an attribute of every element matching {@code css}, read in
     * one script: the page may redraw between two WebDriver calls, leaving stale elements.
     */
    @SuppressWarnings("unchecked")
    private List<String> texts(String css, String attribute) {
        return (List<String>) browser.script("""
                return [...document.querySelectorAll(arguments[0])].map(e => arguments[1] === null
                    ? e.innerText.replace(/\\s+/g, ' ').trim() : e.getAttribute(arguments[1]));""", css, attribute);
    }

    private WebElement find(String css) {
        return browser.driver().findElement(By.cssSelector(css));
    }

    private String text(String css) {
        return find(css).getText();
    }

    private int counter(String name) {
        Object value = browser.script("return document.documentElement.dataset." + name + " || '0'");
        return Integer.parseInt(String.valueOf(value));
    }

    private byte[] awaitDataFile(String marker) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + REFRESH_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] bytes = Files.readAllBytes(c.statusFile());
            if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).contains(marker)) {
                return bytes;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(c.statusFile() + " never held " + marker);
    }

    private void pipeline(String group, String host, String status, String environment, String type, String more) {
        post("/status/pipeline", """
                {"server_group": "%s", "host": "%s", "status": "%s", "environment": "%s", "server_type": "%s",
                 "commit_sha": "%s", "branch": "main", %s}""".formatted(group, host, status, environment, type,
                Integer.toHexString((group + host).hashCode()) + "abc", more));
    }

    private void post(String path, String json) {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(c.baseUrl() + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), path + " " + json + ": " + answer.body());
        } catch (IOException e) {
            throw new AssertionError(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(path, e);
        }
    }
}
