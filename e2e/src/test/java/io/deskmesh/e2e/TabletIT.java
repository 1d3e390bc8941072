package io.deskmesh.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The portal and the admin console on a tablet's screen (768 × 1024, touch) and by keyboard alone,
 * against a real three-node grid: nothing reaches past the right edge of any page, and Tab reaches the
 * main actions of each (log in, connect, every admin page and the button that starts its work), each
 * in view when it has the focus.
 */
class TabletIT {
    private static final int WIDTH = 768;
    private static final int HEIGHT = 1024;
    /** Admin pages and the action each exists for, as a CSS selector of the control Tab must reach. */
    private static final Map<String, String> ADMIN_ACTIONS = Map.of(
            "templates", "#new-template",
            "users", "#new-user",
            "groups", "#new-group",
            "grants", "#grant-form select",
            "sessions", "#filter-user",
            "servers", "button[aria-label='Drain node2']",
            "inventory", "#import-image",
            "events", "#filter-action");

    private static Stage stage;
    private static WebGrid grid;
    private static PageErrors errors;

    @BeforeAll
    static void start() throws Exception {
        stage = Stage.start();
        grid = stage.grid();
        errors = stage.errors();
    }

    @AfterAll
    static void stop() {
        if (stage != null) {
            stage.close();
        }
    }

    @AfterEach
    void noScriptErrorsOrBlockedContent() {
        errors.assertNone();
    }

    private static BrowserContext tablet() {
        return stage.chromium().browser().newContext(new Browser.NewContextOptions().setViewportSize(WIDTH, HEIGHT)
                .setHasTouch(true));
    }

    @Test
    void thePortalFitsATabletAndWorksByKeyboard() {
        try (BrowserContext context = tablet()) {
            Page page = errors.open(context);
            page.navigate(grid.node(1).url() + "/");
            assertThat(page.getByLabel("User name")).isVisible();
            assertThat(WebGrid.overflowing(page)).as("login page: elements past the right edge").isEmpty();

            tabTo(page, "#username");
            page.keyboard().type("user1");
            tabTo(page, "#password");
            page.keyboard().type(WebGrid.USER_PASSWORD);
            page.keyboard().press("Enter");
            assertThat(page.locator("li.desktop[data-template=office]")).isVisible();
            assertThat(WebGrid.overflowing(page)).as("desktop list: elements past the right edge").isEmpty();

            tabTo(page, "li.desktop[data-template=office] button.connect");
            tabBackTo(page, "#logout"); // the account menu comes before the content
        }
    }

    @Test
    void theAdminConsoleFitsATabletAndWorksByKeyboard() {
        try (BrowserContext context = tablet()) {
            Page page = errors.open(context);
            page.navigate(grid.node(2).url() + "/admin");
            assertThat(page.getByLabel("User name")).isVisible();
            tabTo(page, "#username");
            page.keyboard().type("admin");
            tabTo(page, "#password");
            page.keyboard().type(WebGrid.ADMIN_PASSWORD);
            page.keyboard().press("Enter");
            assertThat(page.locator("article.server").first()).isVisible();
            assertThat(WebGrid.overflowing(page)).as("dashboard: elements past the right edge").isEmpty();

            List<String> problems = new ArrayList<>();
            for (String name : List.of("templates", "users", "groups", "grants", "sessions", "servers", "inventory", "events")) {
                tabBackTo(page, ".sidenav a[href='#" + name + "']"); // the page's content has the focus: the menu is before it
                page.keyboard().press("Enter");
                assertThat(page.locator(".sidenav a[aria-current=page]")).hasAttribute("href", "#" + name);
                assertThat(page.locator(ADMIN_ACTIONS.get(name))).isVisible();
                List<String> over = WebGrid.overflowing(page);
                if (!over.isEmpty()) {
                    problems.add(name + ": " + over);
                }
                tabTo(page, ADMIN_ACTIONS.get(name));
            }
            assertThat(problems).as("admin pages with elements past the right edge at " + WIDTH + " px").isEmpty();

            // the action works from the keyboard: Enter opens the form, whose first field Tab reaches
            page.navigate(grid.node(2).url() + "/admin#templates");
            tabTo(page, "#new-template");
            page.keyboard().press("Enter");
            assertThat(page.locator("#template-form")).isVisible();
            tabTo(page, "#template-form input[name=name]");
            assertThat(WebGrid.overflowing(page)).as("template form: elements past the right edge").isEmpty();
        }
    }

    private static void tabTo(Page page, String selector) {
        tab(page, selector, "Tab");
    }

    private static void tabBackTo(Page page, String selector) {
        tab(page, selector, "Shift+Tab");
    }

    /**
     * Presses the key (Tab or Shift+Tab) until the focused element matches the selector (at most 60
     * times), and checks that it is then inside the screen; fails with the path the focus took otherwise.
     */
    private static void tab(Page page, String selector, String key) {
        List<String> path = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            if (Boolean.TRUE.equals(page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> box = (Map<String, Object>) page.evaluate("() => { const r = document.activeElement"
                        + ".getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }");
                assertThat(((Number) box.get("left")).doubleValue()).as(selector + " left edge").isGreaterThanOrEqualTo(0);
                assertThat(((Number) box.get("right")).doubleValue()).as(selector + " right edge").isLessThanOrEqualTo(WIDTH);
                assertThat(((Number) box.get("top")).doubleValue()).as(selector + " top edge").isGreaterThanOrEqualTo(0);
                assertThat(((Number) box.get("bottom")).doubleValue()).as(selector + " bottom edge").isLessThanOrEqualTo(HEIGHT);
                return;
            }
            page.keyboard().press(key);
            path.add((String) page.evaluate("() => { const e = document.activeElement; return e ? e.tagName.toLowerCase()"
                    + " + (e.id ? '#' + e.id : '') + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']'"
                    + " : '') + ' ' + (e.textContent || '').trim().substring(0, 20) : 'none'; }"));
        }
        throw new AssertionError(key + " never reached " + selector + "; the focus went " + path);
    }
}
