package io.deskmesh.e2e;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens pages that report their script errors and Content-Security-Policy violations here, so a test
 * fails when the page broke or the browser blocked part of it. Not thread-safe (one test thread).
 */
final class PageErrors {
    private final List<String> errors = new ArrayList<>();

    Page open(BrowserContext context) {
        Page p = context.newPage();
        p.onPageError(e -> errors.add("page error: " + e));
        p.onConsoleMessage(m -> {
            if (m.type().equals("error") && (m.text().contains("Content Security Policy") || m.text().contains("Refused"))) {
                errors.add("console: " + m.text());
            }
        });
        return p;
    }

    void assertNone() {
        assertThat(errors).as("script errors and CSP violations in the pages").isEmpty();
    }
}
