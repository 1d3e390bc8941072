package io.deskmesh.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin console in Chromium against a real three-node grid: the live dashboard, creating a template
 * with a form (and its inline API error) while a dashboard in another tab shows the new pool's VMs
 * appear without a reload, sessions, servers and the audit trail, importing a base image version and
 * rolling a template back to the one before, and axe-core on every page.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminConsoleIT {
    private static final LocatorAssertions.IsVisibleOptions LONG = new LocatorAssertions.IsVisibleOptions().setTimeout(30_000);

    private static Stage stage;
    private static WebGrid grid;
    private static BrowserContext context;
    /** The dashboard, opened once and never reloaded. */
    private static Page dashboard;
    /** The page the admin works in. */
    private static Page work;
    private static PageErrors errors;

    @BeforeAll
    static void start() throws Exception {
        stage = Stage.start();
        grid = stage.grid();
        errors = stage.errors();
        context = stage.chromium().browser().newContext(new Browser.NewContextOptions().setViewportSize(1400, 1000));
        dashboard = errors.open(context);
        work = errors.open(context);
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
    void anAdminLogsInAndSeesEveryServerOnTheDashboard() {
        dashboard.navigate(grid.node(2).url() + "/admin");
        assertThat(dashboard.getByLabel("User name")).isVisible();
        assertThat(Axe.seriousViolations(dashboard)).as("accessibility of the admin login").isEmpty();
        dashboard.getByLabel("User name").fill("admin");
        dashboard.getByLabel("Password").fill(WebGrid.ADMIN_PASSWORD);
        dashboard.locator("#login-submit").click();
        for (String server : List.of("node1", "node2", "node3")) {
            assertThat(dashboard.locator("article.server[data-server=" + server + "]")).isVisible(LONG);
        }
        assertThat(dashboard.locator("#live")).hasAttribute("data-state", "live");
        assertThat(dashboard.locator("article.server[data-server=node1] .bar")).hasCount(3);
        assertThat(dashboard.locator("table.map tbody tr")).hasCount(2); // win11-office and debian-dev
        assertThat(dashboard.locator("svg.chart")).hasCount(2);
        dashboard.evaluate("() => { window.deskmeshNotReloaded = true; }");
    }

    @Test
    @Order(2)
    void creatingATemplateShowsTheApiErrorInlineThenItsVmsAppearLiveOnTheDashboard() throws Exception {
        work.navigate(grid.node(1).url() + "/admin#templates");
        assertThat(work.locator("#who")).hasText("Logged in as admin"); // a new tab knows who from the session cookie
        work.locator("#new-template").click();
        Locator form = work.locator("#template-form");
        form.getByLabel("Name").fill("kiosk");
        form.getByLabel("vCPUs").fill("0");
        form.getByLabel("Memory (MB)").fill("1024");
        form.getByLabel("Desired VMs").fill("3");
        form.getByLabel("Spare VMs (powered on)").fill("1");
        form.locator("button[type=submit]").click();
        assertThat(form.locator(".error")).containsText("cpus");
        assertThat(form.getByLabel("vCPUs")).hasAttribute("aria-invalid", "true");
        work.screenshot(new Page.ScreenshotOptions().setPath(WebGrid.screenshot("template-form")));
        assertThat(Axe.seriousViolations(work)).as("accessibility of the template form with an error").isEmpty();

        form.getByLabel("vCPUs").fill("1");
        form.locator("button[type=submit]").click();
        assertThat(work.locator(".notice")).containsText("Template 'kiosk' created");
        assertThat(work.locator("td", new Page.LocatorOptions().setHasText("kiosk")).first()).isVisible();
        // editing: the form comes filled in, and a version that cannot be is refused next to its field
        work.getByLabel("Edit template kiosk").click();
        Locator edit = work.locator("#template-form");
        assertThat(edit.getByLabel("vCPUs")).hasValue("1");
        assertThat(edit.getByLabel("Image version")).hasValue("1");
        edit.getByLabel("Image version").fill("0");
        edit.locator("button[type=submit]").click();
        assertThat(edit.getByLabel("Image version")).hasAttribute("aria-invalid", "true");
        assertThat(edit.locator(".error")).containsText("imageVersion");
        edit.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
        assertThat(work.locator("#template-form")).hasCount(0);

        // The dashboard tab was not touched: the stream brings the new pool and its VMs.
        Locator row = dashboard.locator("tr", new Page.LocatorOptions().setHas(dashboard.locator("td", new Page.LocatorOptions().setHasText("kiosk"))));
        assertThat(row).isVisible(LONG);
        Wait.until("kiosk's three VMs on the dashboard", () -> row.locator("td").nth(3).textContent().equals("3"));
        assertThat(dashboard.evaluate("() => window.deskmeshNotReloaded === true")).as("the dashboard was not reloaded").isEqualTo(true);
        assertThat(Axe.seriousViolations(dashboard)).as("accessibility of the dashboard").isEmpty();
    }

    @Test
    @Order(3)
    void anAdminCreatesAUserAGroupAndAGrantAndTheUserGetsTheDesktop() throws Exception {
        work.navigate(grid.node(1).url() + "/admin#users");
        work.locator("#new-user").click();
        Locator user = work.locator("#user-form");
        user.getByLabel("Name").fill("carol");
        user.getByLabel("Password").fill("carol-password-1");
        user.locator("button[type=submit]").click();
        assertThat(work.locator(".notice")).hasText("User 'carol' created.");

        work.navigate(grid.node(1).url() + "/admin#groups");
        work.locator("#new-group").click();
        Locator group = work.locator("#group-form");
        group.getByLabel("Name").fill("kiosk-users");
        group.getByLabel("Members").fill("carol, nobody-such");
        group.locator("button[type=submit]").click();
        assertThat(group.locator(".error")).containsText("nobody-such"); // the API's refusal, in the form
        group.getByLabel("Members").fill("carol");
        group.locator("button[type=submit]").click();
        assertThat(work.locator(".notice")).hasText("Group 'kiosk-users' created.");

        work.navigate(grid.node(1).url() + "/admin#grants");
        Locator grant = work.locator("#grant-form");
        grant.getByLabel("Template").selectOption("kiosk");
        grant.getByLabel("Group").fill("kiosk-users");
        grant.locator("button[type=submit]").click();
        assertThat(work.locator(".notice")).hasText("Granted 'kiosk' to group kiosk-users.");
        assertThat(work.locator("td", new Page.LocatorOptions().setHasText("group kiosk-users"))).isVisible();

        String token = grid.login(grid.node(3), "carol", "carol-password-1");
        assertThat(grid.get(grid.node(3), "/api/v1/desktops", token).path("desktops").findValuesAsText("template"))
                .containsExactly("kiosk");
    }

    @Test
    @Order(4)
    void anAdminLogsOffAUsersSession() throws Exception {
        String token = grid.login(grid.node(1), "user1");
        connect(token);
        assertThat(dashboard.locator("article.server dd.server-sessions").filter(new Locator.FilterOptions().setHasText("1")))
                .hasCount(1, new LocatorAssertions.HasCountOptions().setTimeout(30_000));
        dashboard.screenshot(new Page.ScreenshotOptions().setPath(WebGrid.screenshot("dashboard")).setFullPage(true));
        work.navigate(grid.node(1).url() + "/admin#sessions");
        Locator logOff = work.getByLabel("Log off user1's session");
        assertThat(logOff).isVisible(LONG);
        assertThat(Axe.seriousViolations(work)).as("accessibility of the sessions page").isEmpty();
        logOff.click();
        assertThat(work.locator(".notice")).containsText("logged off");
        assertThat(work.getByLabel("Log off user1's session")).hasCount(0);
        assertThat(grid.get(grid.node(1), "/api/v1/sessions", token).path("sessions")).isEmpty();
    }

    @Test
    @Order(5)
    void anAdminDrainsAndResumesAServer() {
        work.navigate(grid.node(1).url() + "/admin#servers");
        work.getByLabel("Drain node3").click();
        assertThat(work.getByLabel("Resume node3")).isVisible(LONG);
        assertThat(Axe.seriousViolations(work)).as("accessibility of the servers page").isEmpty();
        assertThat(dashboard.locator("article.server[data-server=node3] .badge").first()).hasText("draining", new LocatorAssertions.HasTextOptions().setTimeout(30_000));
        work.getByLabel("Resume node3").click();
        assertThat(work.getByLabel("Drain node3")).isVisible(LONG);
        assertThat(dashboard.locator("article.server[data-server=node3] .badge").first()).hasText("active", new LocatorAssertions.HasTextOptions().setTimeout(30_000));
    }

    @Test
    @Order(6)
    void theAuditTrailFiltersByAction() {
        work.navigate(grid.node(1).url() + "/admin#events");
        work.locator("#filter-action").fill("template.*");
        work.locator("form.filters button[type=submit]").click();
        Locator rows = work.locator("tbody tr");
        assertThat(rows.first()).isVisible(LONG);
        Wait.until("only template actions listed", () -> rows.allTextContents().stream().allMatch(t -> t.contains("template.")));
        assertThat(rows.allTextContents()).anyMatch(t -> t.contains("template.create") && t.contains("kiosk") && t.contains("refused"));
        assertThat(rows.allTextContents()).anyMatch(t -> t.contains("template.create") && t.contains("kiosk") && t.contains("ok"));
        assertThat(Axe.seriousViolations(work)).as("accessibility of the audit trail").isEmpty();
        for (String p : List.of("users", "groups", "grants", "inventory")) {
            work.navigate(grid.node(1).url() + "/admin#" + p);
            assertThat(work.locator("main h1")).isVisible();
            assertThat(work.locator("main table, main .muted").first()).isVisible(LONG);
            assertThat(Axe.seriousViolations(work)).as("accessibility of the " + p + " page").isEmpty();
        }
    }

    @Test
    @Order(7)
    void theDashboardFitsATabletScreen() {
        dashboard.setViewportSize(768, 1024);
        try {
            assertThat(dashboard.locator("article.server").first()).isVisible();
            assertThat(WebGrid.overflowing(dashboard)).as("elements past the right edge at 768 px").isEmpty();
            assertThat(dashboard.locator("nav.sidenav a[href='#servers']")).isVisible();
        } finally {
            dashboard.setViewportSize(1400, 1000);
        }
    }

    @Test
    @Order(8)
    void aUserWhoIsNotAnAdminIsTurnedAway() {
        BrowserContext other = stage.chromium().browser().newContext();
        Page p = errors.open(other);
        p.navigate(grid.node(3).url() + "/admin");
        p.getByLabel("User name").fill("user2");
        p.getByLabel("Password").fill(WebGrid.USER_PASSWORD);
        p.locator("#login-submit").click();
        assertThat(p.locator("#login-error")).containsText("not an admin");
        assertThat(p.locator("#shell")).isHidden();
        other.close();
    }


    @Test
    @Order(9)
    void anAdminImportsABaseImageVersionThenRollsATemplateBackAndForth() throws Exception {
        work.navigate(grid.node(1).url() + "/admin#inventory");
        Locator images = work.locator("table", new Page.LocatorOptions().setHas(work.locator("caption",
                new Page.LocatorOptions().setHasText("copies per server"))));
        assertThat(images.locator("thead th")).containsText(new String[]{"Image", "Size", "Registered", "node1", "node2", "node3"});
        assertThat(images.locator("[data-copy^='debian-dev:1@']").first()).hasText("landed", new LocatorAssertions.HasTextOptions().setTimeout(30_000));

        Path disk = qcow2(16);
        work.locator("#import-image").click();
        Locator form = work.locator("#import-form");
        form.getByLabel("Template").selectOption("dev");
        form.getByLabel("Disk file").setInputFiles(disk);
        form.getByLabel("SHA-256").fill("0".repeat(64)); // not this file's: the node must say so
        form.locator("button[type=submit]").click();
        assertThat(form.locator(".error")).containsText("does not match");
        assertThat(form.getByLabel("SHA-256")).hasAttribute("aria-invalid", "true");
        assertThat(Axe.seriousViolations(work)).as("accessibility of the import form with an error").isEmpty();

        form.getByLabel("SHA-256").fill("");
        form.getByLabel("Version").fill("1"); // registered already
        form.locator("button[type=submit]").click();
        assertThat(form.locator(".error")).containsText("already registered");
        assertThat(form.getByLabel("Version")).hasAttribute("aria-invalid", "true");
        assertThat(form.getByLabel("SHA-256")).not().hasAttribute("aria-invalid", "true");

        form.getByLabel("Version").fill(""); // the next one; the page computes the SHA-256 itself
        form.locator("button[type=submit]").click();
        assertThat(work.locator(".notice")).containsText("Imported debian-dev v2", new LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
        assertThat(work.locator(".notice")).containsText("template 'dev' moves to it");
        assertThat(grid.get(grid.node(1), "/api/v1/templates/dev", grid.login(grid.node(1), "admin")).path("imageVersion").asInt())
                .isEqualTo(2);
        assertThat(images.locator("[data-copy='debian-dev:2@node1']")).hasText("landed", new LocatorAssertions.HasTextOptions().setTimeout(30_000));

        work.onceDialog(d -> d.accept()); // "Move template 'dev' ... ?"
        work.getByLabel("Roll back template dev to debian-dev v1").click();
        assertThat(work.locator(".notice")).containsText("Template 'dev' moves to debian-dev v1");
        assertThat(work.getByLabel("Roll out template dev to debian-dev v2")).isVisible(LONG);
        assertThat(grid.get(grid.node(1), "/api/v1/templates/dev", grid.login(grid.node(1), "admin")).path("imageVersion").asInt())
                .isEqualTo(1);
        assertThat(Axe.seriousViolations(work)).as("accessibility of the base images page").isEmpty();
    }

    /** A fresh empty qcow2 disk of {@code mb} MB, made by qemu-img (which the node also needs to check imports). */
    private static Path qcow2(int mb) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "disks"));
        Path disk = dir.resolve("import-" + System.nanoTime() + ".qcow2");
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), mb + "M")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("qemu-img create failed (apt-get install qemu-utils): " + out);
        }
        return disk;
    }

    private static void connect(String token) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        Wait.until("user1 connected to an office desktop", () -> http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(grid.node(1).url() + "/api/v1/desktops/office/connect"))
                .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }
}
