package io.deskmesh.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright: headless, never downloads a browser of its own. When the
 * browser is missing the tests fail (they never skip) with the command that installs it. One per test
 * class; not thread-safe (Playwright objects belong to the thread that made them).
 */
final class Chromium implements AutoCloseable {
    static final Path EXECUTABLE = Path.of(System.getProperty("deskmesh.chromium", "/usr/bin/chromium"));

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    static Chromium launch() {
        requireExecutable(EXECUTABLE, System.getenv("CI") != null);
        Playwright pw = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser b = pw.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE)
                    .setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage")));
            return new Chromium(pw, b);
        } catch (RuntimeException e) {
            pw.close();
            throw e;
        }
    }

    /** Fails (never skips, on CI or not) when there is no browser to run, saying how to install one. */
    static void requireExecutable(Path executable, boolean onCi) {
        if (!Files.isExecutable(executable)) {
            throw new AssertionError("the browser tests need Debian's Chromium at " + executable + ", which is missing"
                    + (onCi ? " on this CI machine" : "")
                    + ". Install it as root with: apt-get install -y chromium chromium-driver"
                    + " (.ci/run does this), or point -Ddeskmesh.chromium=PATH at another Chromium.");
        }
    }

    Browser browser() {
        return browser;
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
