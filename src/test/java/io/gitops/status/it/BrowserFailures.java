package io.gitops.status.it;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed browser test, keeps what the browser showed: a screenshot and the page's source as
 * {@code target/browser-failures/<class>.<test>.png} and {@code .html}. JUnit calls it before
 * {@code @AfterAll}, so the browser is still open.
 */
final class BrowserFailures implements TestWatcher {

    private final Supplier<Browser> browser;
    private final Path folder;

    BrowserFailures(Supplier<Browser> browser, Path folder) {
        this.browser = browser;
        this.folder = folder;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Browser open = browser.get();
        if (open == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        try {
            open.screenshot(folder.resolve(name + ".png"));
            open.pageSource(folder.resolve(name + ".html"));
            System.err.println("browser failure kept in " + folder.resolve(name) + ".{png,html}");
        } catch (RuntimeException e) {
            System.err.println("could not keep the browser's state for " + name + ": " + e);
        }
    }
}
