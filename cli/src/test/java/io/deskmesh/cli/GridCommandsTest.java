package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import io.deskmesh.node.http.ClusterView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deskmesh server|session|desktop|image|vm|events|status} against a stub API: what is sent,
 * what is printed.
 */
class GridCommandsTest {
    static final String SESSIONS = """
            [{"id":"s-1","user":"bob","template":"office","vm":"vm-1","server":"node1","state":"connected","since":1700000000000},\
            {"id":"s-2","user":"carol","template":"dev","vm":"vm-9","server":"node2","state":"disconnected","since":1700000060000}]""";

    @TempDir
    Path dir;
    StubApi api;
    CliHarness cli;

    @BeforeEach
    void setUp() throws IOException {
        api = new StubApi();
        cli = new CliHarness(dir).loggedIn(api.url(), "tok");
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    // ---- servers -------------------------------------------------------------------------------

    @Test
    void serverListShowsStateSiteAndLoad() {
        api.on("GET", "/api/v1/servers", """
                {"servers":[{"name":"node1","site":"a","address":"10.0.0.1:8080","state":"active","suspect":false,"raft":"leader",\
                "capacity":{"cpus":16,"memoryMb":65536,"diskMb":1000000},"usage":{"vms":5,"runningVms":2,"reservedCpus":10,\
                "reservedMemoryMb":20480,"utilisation":0.414},"sessions":2,"images":["win11@1"]},\
                {"name":"node2","site":"","address":"10.0.0.2:8080","state":"draining","suspect":true,\
                "usage":{"vms":0,"utilisation":0},"sessions":0}]}""");

        CliHarness.Run r = cli.run("server", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                NAME   STATE               SITE  ADDRESS        LOAD  VMS  SESSIONS
                node1  active              a     10.0.0.1:8080   41%    5         2
                node2  draining (suspect)  -     10.0.0.2:8080    0%    0         0
                """);
    }

    @Test
    void serverDrainAndResumePostToTheirPaths() {
        api.on("POST", "/api/v1/servers/node2/drain", 204, "").on("POST", "/api/v1/servers/node2/resume", 204, "");

        CliHarness.Run drain = cli.run("server", "drain", "node2");
        CliHarness.Run resume = cli.run("server", "resume", "node2");

        assertThat(drain.exitCode()).as(drain.err()).isZero();
        assertThat(drain.out()).startsWith("server node2 is draining");
        assertThat(resume.out()).isEqualTo("server node2 is active again\n");
        assertThat(api.lines()).containsExactly("POST /api/v1/servers/node2/drain", "POST /api/v1/servers/node2/resume");
        assertThat(api.requests()).allSatisfy(q -> assertThat(q.body()).isEmpty());
    }

    @Test
    void serverRemoveWithYesDeletesThroughThePublicApiWithTheUsersToken() {
        api.on("DELETE", "/api/v1/servers/node2", 204, "");

        CliHarness.Run r = cli.run("server", "remove", "node2", "--yes");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("removed server node2; stop its node process now\n");
        assertThat(api.only().line()).isEqualTo("DELETE /api/v1/servers/node2");
        assertThat(api.only().authorization()).isEqualTo("Bearer tok");
    }

    @Test
    void serverRemoveAsksFirstAndDoesNothingUnlessConfirmed() {
        api.on("DELETE", "/api/v1/servers/node2", 204, "");
        CliHarness.FakeTerminal terminal = cli.terminal("n");

        CliHarness.Run no = cli.run("server", "remove", "node2");

        assertThat(no.exitCode()).isEqualTo(1);
        assertThat(no.err()).isEqualTo("not removed\n");
        assertThat(terminal.prompts).singleElement().asString().startsWith("Remove server node2 from the grid for good?");
        assertThat(api.requests()).isEmpty();

        cli.terminal("yes");
        CliHarness.Run yes = cli.run("server", "remove", "node2");
        assertThat(yes.exitCode()).as(yes.err()).isZero();
        assertThat(api.lines()).containsExactly("DELETE /api/v1/servers/node2");
    }

    @Test
    void serverRemoveWithoutTerminalOrYesIsRefused() {
        CliHarness.Run r = cli.run("server", "remove", "node2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("pass --yes");
        assertThat(api.requests()).isEmpty();
    }

    // ---- sessions ------------------------------------------------------------------------------

    @Test
    void sessionListPrintsATable() {
        api.on("GET", "/api/v1/sessions", SESSIONS);

        CliHarness.Run r = cli.run("session", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                ID   USER   TEMPLATE  VM    SERVER  STATE         SINCE
                s-1  bob    office    vm-1  node1   connected     2023-11-14T22:13:20Z
                s-2  carol  dev       vm-9  node2   disconnected  2023-11-14T22:14:20Z
                """);
    }

    @Test
    void sessionListFiltersAreSentAndAppliedToTheOutputToo() {
        // The stub ignores the filters, as an API without them would: the CLI must still filter.
        api.on("GET", "/api/v1/sessions?user=carol&server=node2", "{\"sessions\":" + SESSIONS + "}");

        CliHarness.Run table = cli.run("session", "list", "--user", "carol", "--server", "node2");
        CliHarness.Run json = cli.run("session", "list", "--user", "carol", "--server", "node2", "-o", "json");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("s-2").doesNotContain("s-1");
        assertThat(json.out()).startsWith("{\n  \"sessions\": [\n    {\n      \"id\": \"s-2\"").doesNotContain("s-1");
    }

    @Test
    void sessionDisconnectAndLogoff() {
        api.on("POST", "/api/v1/sessions/s-1/disconnect", 204, "").on("DELETE", "/api/v1/sessions/s-1", 204, "");

        CliHarness.Run disconnect = cli.run("session", "disconnect", "s-1");
        CliHarness.Run logoff = cli.run("session", "logoff", "s-1");

        assertThat(disconnect.out()).isEqualTo("disconnected session s-1\n");
        assertThat(logoff.out()).isEqualTo("logged off session s-1\n");
        assertThat(api.lines()).containsExactly("POST /api/v1/sessions/s-1/disconnect", "DELETE /api/v1/sessions/s-1");
    }

    @Test
    void sessionConnectionFileSavesTheVvFileForItsOwnerOnlyOrPrintsIt() throws IOException {
        String vv = "[virt-viewer]\ntype=vnc\nhost=10.0.0.1\nport=8180\npassword=Abcd2345\ndelete-this-file=1\n";
        api.on("POST", "/api/v1/sessions/s-1/connection-file", "{\"sessionId\":\"s-1\",\"server\":\"node1\","
                + "\"host\":\"10.0.0.1\",\"port\":8180,\"password\":\"Abcd2345\",\"expiresAt\":\"2026-11-22T10:00:00Z\","
                + "\"fileName\":\"deskmesh-office.vv\",\"file\":" + TextNode.valueOf(vv)
                + "}");

        CliHarness.Run saved = cli.run("session", "connection-file", "s-1", "--file", dir.toString());
        CliHarness.Run printed = cli.run("session", "connection-file", "s-1", "-f", "-");

        assertThat(saved.exitCode()).as(saved.err()).isZero();
        Path file = dir.resolve("deskmesh-office.vv");
        assertThat(Files.readString(file)).isEqualTo(vv);
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(saved.out()).contains("saved " + file, "10.0.0.1::8180").doesNotContain("Abcd2345");
        assertThat(printed.out()).isEqualTo(vv);
        assertThat(api.lines()).containsExactly("POST /api/v1/sessions/s-1/connection-file",
                "POST /api/v1/sessions/s-1/connection-file");
    }

    @Test
    void sessionConnectionFileRefusesABadIdBeforeAsking() {
        CliHarness.Run r = cli.run("session", "connection-file", "has space");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("not a valid id");
        assertThat(api.lines()).isEmpty();
    }

    // ---- desktops ------------------------------------------------------------------------------

    @Test
    void desktopListShowsEntitledTemplatesAndTheCallersSessions() {
        api.on("GET", "/api/v1/desktops", """
                {"user":"bob","desktops":[\
                {"template":"office","pool":"non-persistent","cpus":2,"memoryMb":4096,"free":6,"total":8,"available":true,\
                "reason":null,"ownVm":null,"sessionId":"s-1"},\
                {"template":"dev","pool":"persistent","cpus":2,"memoryMb":2048,"free":0,"total":2,"available":true,\
                "reason":null,"ownVm":"vm-3","sessionId":null},\
                {"template":"cad","pool":"non-persistent","cpus":8,"memoryMb":16384,"free":0,"total":4,"available":false,\
                "reason":"all 4 desktops are in use","ownVm":null,"sessionId":null}],\
                "sessions":[{"id":"s-1","user":"bob","template":"office","vm":"vm-1","server":"node1","state":"connected",\
                "reservedAt":"2023-11-14T22:13:20.250Z","since":"2023-11-14T22:13:21.500Z","console":{"url":"/console/s-1"}}]}""");

        CliHarness.Run r = cli.run("desktop", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                TEMPLATE  POOL            FREE  STATUS
                office    non-persistent   6/8  in your session s-1
                dev       persistent       0/2  ready (your desktop vm-3)
                cad       non-persistent   0/4  unavailable: all 4 desktops are in use

                Your sessions:
                ID   USER  TEMPLATE  VM    SERVER  STATE      SINCE
                s-1  bob   office    vm-1  node1   connected  2023-11-14T22:13:21Z
                """);
    }

    @Test
    void desktopConnectPrintsSessionVmServerAndTheConsoleAddressWhole() {
        api.on("POST", "/api/v1/desktops/office/connect", """
                {"sessionId":"s-42","vm":"vm-7","server":"node2","template":"office","reconnect":true,\
                "console":{"url":"/console/s-42?ticket=abc"}}""");

        CliHarness.Run r = cli.run("desktop", "connect", "office");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.only().line()).isEqualTo("POST /api/v1/desktops/office/connect");
        assertThat(r.out()).isEqualTo("""
                session  s-42 (your session, resumed)
                vm       vm-7
                server   node2
                console  %s/console/s-42?ticket=abc
                """.formatted(api.url()));
    }

    @Test
    void desktopConnectJsonPrintsTheApisAnswer() {
        api.on("POST", "/api/v1/desktops/office/connect", """
                {"sessionId":"s-42","vm":"vm-7","server":"node2","console":{"url":"http://node2:8080/console/s-42"}}""");

        CliHarness.Run r = cli.run("desktop", "connect", "office", "--output", "json");

        assertThat(r.out()).isEqualTo("""
                {
                  "sessionId": "s-42",
                  "vm": "vm-7",
                  "server": "node2",
                  "console": {
                    "url": "http://node2:8080/console/s-42"
                  }
                }
                """);
    }

    @Test
    void desktopConnectWhenNoneIsFreePrintsTheApisReason() {
        api.error("POST", "/api/v1/desktops/office/connect", 503, "NO_DESKTOP",
                "no free desktop of template 'office' right now (8 of 8 in use); try again in a minute");

        CliHarness.Run r = cli.run("desktop", "connect", "office");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("no free desktop of template 'office' right now (8 of 8 in use); try again in a minute\n");
        assertThat(r.out()).isEmpty();
    }

    // ---- images, VMs, events -------------------------------------------------------------------

    @Test
    void imageListShowsCopies() {
        api.on("GET", "/api/v1/images", """
                [{"image":"win11","version":1,"sizeBytes":2147483648,"sha256":"ab","replicas":[\
                {"server":"node1","state":"landed"},{"server":"node2","state":"landed"},{"server":"node3","state":"transferring"}]},\
                {"image":"ubuntu","version":2,"sizeBytes":1000,"replicas":[]}]""");

        CliHarness.Run r = cli.run("image", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                IMAGE   VERSION     SIZE  COPIES  SERVERS
                win11         1  2.0 GiB       2  node1, node2, node3 (transferring)
                ubuntu        2   1000 B       0  -
                """);
    }

    @Test
    void vmListSendsItsFiltersAsQuery() {
        api.on("GET", "/api/v1/vms?template=office&state=running", """
                [{"id":"vm-1","template":"office","server":"node1","state":"running","owner":null,"sessionId":"s-1"}]""");

        CliHarness.Run r = cli.run("vm", "list", "--template", "office", "--state", "RUNNING");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                ID    TEMPLATE  SERVER  STATE    OWNER  SESSION
                vm-1  office    node1   running  -      s-1
                """);
    }

    @Test
    void vmListRefusesAnUnknownState() {
        CliHarness.Run r = cli.run("vm", "list", "--state", "asleep");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'asleep' is not one of allocated, stopped, running, dirty, unhealthy, retiring");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void eventsSendsSinceAndLimitAndPrintsTheTrail() {
        api.on("GET", "/api/v1/events?since=10&limit=2", """
                {"events":[{"seq":11,"actor":"admin","action":"template.create","target":"office","from":"10.0.0.9",\
                "ok":true,"detail":"","at":"2023-11-14T22:13:20.123Z"},{"seq":12,"actor":"eve","action":"login","target":"",\
                "from":"10.0.0.7","ok":false,"detail":"wrong user name or password","at":1700000001000}]}""");

        CliHarness.Run r = cli.run("events", "--since", "10", "--limit", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                SEQ  TIME                  ACTOR  ACTION           TARGET  FROM      RESULT  DETAIL
                 11  2023-11-14T22:13:20Z  admin  template.create  office  10.0.0.9  ok      -
                 12  2023-11-14T22:13:21Z  eve    login            -       10.0.0.7  failed  wrong user name or password
                """);
    }

    @Test
    void eventsRefusesALimitOutOfRange() {
        CliHarness.Run r = cli.run("events", "--limit", "0");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--limit must be between 1 and 10000, was 0");
        assertThat(api.requests()).isEmpty();
    }

    // ---- status --------------------------------------------------------------------------------

    /** A cluster view built from the node's own record types, so its JSON shape is the real one. */
    static String clusterJson() {
        Map<String, Integer> byState = new TreeMap<>(Map.of("running", 2, "stopped", 6));
        ClusterView view = new ClusterView("grid-7", 1234, 1_700_000_000_000L, "node2", "node1",
                List.of(new ClusterView.Server("node1", "a", "10.0.0.1:8080", "active", false, 16, 65536, 1_000_000, 5, 2,
                                10, 20480, 0.625, 1, List.of("win11@1")),
                        new ClusterView.Server("node2", "", "10.0.0.2:8080", "missing", true, 16, 65536, 1_000_000, 0, 0,
                                0, 0, 0.0, 0, List.of())),
                List.of(new ClusterView.Image("win11", 1, 2_147_483_648L, "ab",
                        List.of(new ClusterView.Replica("node1", "landed", ""),
                                new ClusterView.Replica("node2", "transferring", "node1")))),
                List.of(new ClusterView.Template("office", "win11", 1, "non-persistent", "8", 8, 8, byState,
                                Map.of("node1", 8), 1),
                        new ClusterView.Template("dev", "win11", 1, "persistent", "auto", 3, 2, Map.of("stopped", 2),
                                Map.of("node1", 2), 0)),
                new ClusterView.Totals(2, 1, 10, 1, 2, 11));
        return Json.compact(Json.MAPPER.valueToTree(view));
    }

    @Test
    void statusShowsTheGridAtAGlance() {
        api.on("GET", "/api/v1/cluster", clusterJson());

        CliHarness.Run r = cli.run("status");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                grid grid-7  index 1234  leader node1  (answered by node2 at 2023-11-14T22:13:20Z)
                servers 2 (1 live)  VMs 10  sessions 1  templates 2  users 11

                SERVER  STATE              SITE  LOAD               VMS  RUNNING  SESSIONS
                node1   active             a     [######----]  63%    5        2         1
                node2   missing (suspect)  -     [----------]   0%    0        0         0

                IMAGE  VERSION     SIZE  COPIES  SERVERS
                win11        1  2.0 GiB       1  node1, node2 (transferring)

                TEMPLATE  POOL            IMAGE     DESIRED       VMS  SESSIONS  BY STATE
                office    non-persistent  win11 v1  8               8         1  running 2, stopped 6
                dev       persistent      win11 v1  auto (now 3)    2         0  stopped 2
                """);
        assertThat(api.only().line()).isEqualTo("GET /api/v1/cluster");
    }

    @Test
    void statusJsonIsTheClusterViewPrettyPrinted() throws IOException {
        String json = clusterJson();
        api.on("GET", "/api/v1/cluster", json);

        CliHarness.Run r = cli.run("status", "-o", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Json.MAPPER.readTree(r.out())).isEqualTo(Json.MAPPER.readTree(json));
        assertThat(r.out()).startsWith("{\n  \"grid\": \"grid-7\",\n  \"index\": 1234,");
    }
}
