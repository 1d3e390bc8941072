package io.deskmesh.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.deskmesh.node.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user portal in Chromium against a real three-node grid: log in, see the desktops, connect and
 * see the VM's screen on the noVNC canvas (checked from its pixels), send clipboard text, log off, and
 * lose the server hosting the desktop. The tests run in order on one grid; the last one stops a node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalIT {
    /** The sim desktop's colours (DesktopPainter): the title bar and the panel behind the text. */
    private static final List<Integer> TITLE_BAR = List.of(0x0B, 0x13, 0x2B);
    private static final List<Integer> PANEL = List.of(0xF1, 0xFA, 0xEE);
    private static final double TIMEOUT_MS = 30_000;

    private static Stage stage;
    private static WebGrid grid;
    private static BrowserContext context;
    private static Page page;
    private static PageErrors errors;

    @BeforeAll
    static void start() throws Exception {
        stage = Stage.start();
        grid = stage.grid();
        errors = stage.errors();
        context = stage.chromium().browser().newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1280, 860));
        page = errors.open(context);
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

    @Test
    @Order(1)
    void aUserLogsInAndSeesTheDesktopsTheyMayUse() throws Exception {
        page.navigate(grid.node(1).url() + "/");
        assertThat(page.getByLabel("User name")).isVisible();
        assertThat(Axe.seriousViolations(page)).as("accessibility of the login page").isEmpty();

        page.getByLabel("User name").fill("user1");
        page.getByLabel("Password").fill("wrong-password");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Log in")).click();
        assertThat(page.locator("#login-error")).hasText("wrong user name or password");

        // by keyboard alone: the password field, then Enter submits the form
        page.getByLabel("Password").fill("");
        page.getByLabel("Password").focus();
        page.keyboard().type(WebGrid.USER_PASSWORD);
        page.keyboard().press("Enter");
        Locator office = page.locator("li.desktop[data-template=office]");
        assertThat(office).isVisible(new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions()
                .setTimeout(TIMEOUT_MS));
        assertThat(page.locator("li.desktop[data-template=dev]")).isVisible();
        assertThat(page.locator("#who")).hasText("Logged in as user1");
        // the pool fills within seconds; the card shows how many are free once a desktop is
        Wait.until("a free office desktop on the card", () -> {
            page.locator("#refresh").click();
            return office.locator(".badge").textContent().matches("\\d+ of \\d+ free") && office.locator("button.connect").isEnabled();
        });
        assertThat(Axe.seriousViolations(page)).as("accessibility of the desktop list").isEmpty();
        page.screenshot(new Page.ScreenshotOptions().setPath(WebGrid.screenshot("portal")));
    }

    @Test
    @Order(2)
    void connectingShowsTheVmScreenOnTheCanvas() throws Exception {
        // keyboard: Tab reaches the office desktop's Connect button, Enter presses it
        for (int i = 0; i < 30 && !"office".equals(page.evaluate("() => document.activeElement.dataset.template")); i++) {
            page.keyboard().press("Tab");
        }
        assertThat(page.evaluate("() => document.activeElement.textContent")).isEqualTo("Connect");
        page.keyboard().press("Enter");
        assertThat(page.locator("#screen")).hasAttribute("data-state", "connected",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        Map<String, Object> pixels = awaitDesktopPixels(page);
        assertThat(pixels.get("width")).isEqualTo(640);
        assertThat(pixels.get("height")).isEqualTo(400);
        assertThat(((Number) pixels.get("distinct")).intValue()).as("distinct colours on the canvas").isGreaterThan(10);
        assertThat(pixels.get("bar")).as("the title bar's colour at (4,4)").isEqualTo(TITLE_BAR);
        assertThat(pixels.get("panel")).as("the panel's colour at (72,82)").isEqualTo(PANEL);
        assertThat(page.locator("#viewer-title")).hasText("office (user1)");
        page.screenshot(new Page.ScreenshotOptions().setPath(WebGrid.screenshot("desktop")));
        assertThat(Axe.seriousViolations(page)).as("accessibility of the desktop view").isEmpty();
    }

    @Test
    @Order(3)
    void theViewerFitsATabletScreen() {
        page.setViewportSize(768, 1024);
        try {
            assertThat(page.locator("#screen canvas")).isVisible();
            assertThat(WebGrid.overflowing(page)).as("elements past the right edge at 768 px").isEmpty();
            assertThat(page.locator("#logoff").boundingBox().x + page.locator("#logoff").boundingBox().width)
                    .as("the toolbar wraps inside the screen").isLessThanOrEqualTo(768);
        } finally {
            page.setViewportSize(1280, 860);
        }
    }

    @Test
    @Order(4)
    void clipboardTextAndCtrlAltDelReachTheVm() throws Exception {
        JsonNode session = onlySession("user1");
        Node host = grid.byName(session.path("server").asText());
        String vm = session.path("vm").asText();
        Node front = grid.node(1);
        double bytesBefore = front.consoles().metrics().bytes(true);
        long eventsBefore = host.simConsoles().inputEvents(host.name(), vm);
        page.locator("#clipboard-toggle").click();
        page.getByLabel("Clipboard text", new Page.GetByLabelOptions().setExact(false)).fill("x".repeat(20_000));
        page.locator("#clipboard-send").click();
        Wait.until("20,000 clipboard bytes through the proxy", () -> front.consoles().metrics().bytes(true) - bytesBefore >= 20_000);
        Wait.until("the clipboard event at the VM's console", () -> host.simConsoles().inputEvents(host.name(), vm) >= eventsBefore + 1);
        long afterClipboard = host.simConsoles().inputEvents(host.name(), vm);
        page.locator("#cad").click();
        // Ctrl-Alt-Del is six key events: three presses, three releases
        Wait.until("Ctrl-Alt-Del's six key events at the VM's console",
                () -> host.simConsoles().inputEvents(host.name(), vm) >= afterClipboard + 6);
        assertThat(page.locator("#screen")).hasAttribute("data-state", "connected");
        assertThat(onlySession("user1").path("id").asText()).isEqualTo(session.path("id").asText());
    }

    @Test
    @Order(5)
    void reconnectGivesTheSameDesktop() throws Exception {
        String session = onlySession("user1").path("id").asText();
        page.locator("#reconnect").click();
        assertThat(page.locator("#screen")).hasAttribute("data-state", "connected",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        assertThat(awaitDesktopPixels(page).get("panel")).isEqualTo(PANEL);
        assertThat(onlySession("user1").path("id").asText()).isEqualTo(session);
        assertThat(page.locator("#console-message")).isHidden();
    }

    @Test
    @Order(6)
    void theConnectionFileDownloadsAVncFileForThisNode() throws Exception {
        page.locator("#connection-file").focus();
        Download download = page.waitForDownload(() -> page.keyboard().press("Enter"));
        assertThat(download.suggestedFilename()).isEqualTo("deskmesh-office.vv");
        List<String> lines = Files.readAllLines(download.path());
        int port = grid.node(1).consoles().vncPort().orElseThrow();
        assertThat(lines).contains("[virt-viewer]", "type=vnc", "host=127.0.0.1", "port=" + port, "delete-this-file=1");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("password=[A-Za-z2-9]{8}"));
        assertThat(page.locator("#connection-file-note")).containsText("127.0.0.1::" + port);
        assertThat(page.locator("#screen")).hasAttribute("data-state", "connected");
    }

    @Test
    @Order(7)
    void logOffEndsTheSessionAndClosesTheConsole() throws Exception {
        page.locator("#logoff").click();
        assertThat(page.locator("#console-message")).hasText("You logged off; the desktop is closed.",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(TIMEOUT_MS));
        assertThat(page.locator("#screen")).hasAttribute("data-state", "closed");
        assertThat(page.locator("#screen canvas")).hasCount(0);
        String token = grid.login(grid.node(1), "user1");
        assertThat(grid.get(grid.node(1), "/api/v1/sessions", token).path("sessions")).isEmpty();
        Wait.until("no console open on node1", () -> grid.node(1).consoles().openConsoles() == 0);
    }

    @Test
    @Order(8)
    void losingTheServerThatHostsTheDesktopSaysSoInThePage() throws Exception {
        // user2 reaches the desktop through a node that does not host it, then the host stops.
        String token = grid.login(grid.node(1), "user2");
        JsonNode connected = connectByApi(token);
        Node host = grid.byName(connected.path("server").asText());
        Node front = grid.node(1) == host ? grid.node(2) : grid.node(1);
        BrowserContext other = stage.chromium().browser().newContext();
        Page p = errors.open(other);
        p.navigate(front.url() + "/");
        p.getByLabel("User name").fill("user2");
        p.getByLabel("Password").fill(WebGrid.USER_PASSWORD);
        p.locator("#login-submit").click();
        Locator reconnect = p.locator("li.desktop[data-template=office] button.connect");
        assertThat(reconnect).hasText("Reconnect", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions()
                .setTimeout(TIMEOUT_MS));
        reconnect.click();
        assertThat(p.locator("#screen")).hasAttribute("data-state", "connected",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(TIMEOUT_MS));
        assertThat(awaitDesktopPixels(p).get("panel")).isEqualTo(PANEL);

        host.close();
        assertThat(p.locator("#console-message")).containsText("Server '" + host.name() + "', which hosts your desktop, went away",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(TIMEOUT_MS));
        assertThat(p.locator("#screen")).hasAttribute("data-state", "closed");
        other.close();
    }

    // ---- helpers --------------------------------------------------------------------------------


    /**
     * Waits until the noVNC canvas shows the sim desktop (the panel's colour where the panel is) and
     * returns its size, the number of distinct colours in a sample, and two pixels.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitDesktopPixels(Page p) {
        String read = """
                () => {
                  const c = document.querySelector('#screen canvas');
                  if (!c || c.width < 100) return null;
                  const g = c.getContext('2d');
                  const d = g.getImageData(0, 0, c.width, c.height).data;
                  const seen = new Set();
                  for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                  const px = (x, y) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
                  return {width: c.width, height: c.height, distinct: seen.size, bar: px(4, 4), panel: px(72, 82)};
                }""";
        // polled from here: a string predicate polled inside the page would need eval, which the page's CSP forbids
        Wait.until("the sim desktop on the canvas", () -> p.evaluate(read) instanceof Map<?, ?> m && PANEL.equals(m.get("panel")));
        return (Map<String, Object>) p.evaluate(read);
    }

    private static JsonNode onlySession(String user) throws Exception {
        String token = grid.login(grid.node(1), user);
        JsonNode sessions = grid.get(grid.node(1), "/api/v1/sessions", token).path("sessions");
        assertThat(sessions).hasSize(1);
        return sessions.get(0);
    }

    private static JsonNode connectByApi(String token) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(grid.node(1).url()
                            + "/api/v1/desktops/office/connect")).header("Authorization", "Bearer " + token)
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return WebGrid.JSON.readTree(r.body());
            }
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                throw new AssertionError("connect failed: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(200);
        }
    }
}
