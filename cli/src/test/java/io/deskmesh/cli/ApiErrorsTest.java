package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How failures reach the user: the API's message on stderr and exit 1, never a stack trace. */
class ApiErrorsTest {
    private static final String DRAIN = "/api/v1/servers/node1/drain";

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

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "401 | UNAUTHENTICATED | token expired                          | not logged in or session expired: run deskmesh login",
            "403 | FORBIDDEN       | this needs an admin; user 'bob' is not one | this needs an admin; user 'bob' is not one",
            "404 | NOT_FOUND       | server 'node1' does not exist           | server 'node1' does not exist",
            "409 | CONFLICT        | server 'node1' is already draining      | server 'node1' is already draining",
            "503 | UNAVAILABLE     | no Raft leader right now; try again     | no Raft leader right now; try again",
    })
    void anErrorStatusPrintsTheApisMessageAndExitsWithOne(int status, String code, String message, String printed) {
        api.error("POST", DRAIN, status, code, message);

        CliHarness.Run r = cli.run("server", "drain", "node1");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(printed + "\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anErrorWithoutTheContractsShapeNamesTheStatusAndBody() {
        api.on("POST", DRAIN, 502, "<html>Bad Gateway</html>");

        CliHarness.Run r = cli.run("server", "drain", "node1");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(api.url() + " answered POST " + DRAIN + " with HTTP 502: <html>Bad Gateway</html>\n");
    }

    @Test
    void anErrorWithAnEmptyBodyNamesTheStatus() {
        api.on("POST", DRAIN, 500, "");

        CliHarness.Run r = cli.run("server", "drain", "node1");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(api.url() + " answered POST " + DRAIN + " with HTTP 500\n");
    }

    @Test
    void aSuccessThatIsNotJsonIsReportedNotParsed() {
        api.on("GET", "/api/v1/images", "hello");

        CliHarness.Run r = cli.run("image", "list");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(api.url() + " answered GET /api/v1/images with something other than JSON: hello;"
                + " is that a DeskMesh node?\n");
    }

    @Test
    void anAnswerWithoutTheExpectedListSaysSo() {
        api.on("GET", "/api/v1/templates", "{\"count\":3}");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("unexpected answer from the node: expected a list of templates, got {\"count\":3}\n");
    }

    @Test
    void anUnreachableNodeSaysWhereAndWhatToStart() throws IOException {
        String dead = "http://127.0.0.1:" + LoginCommandTest.freePort();

        CliHarness.Run r = cli.run("status", "--node", dead);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("cannot reach " + dead + ": ")
                .endsWith("; is a node running there? (deskmesh node / deskmesh demo)\n")
                .doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void jsonOutputIsNotPrintedOnError() {
        api.error("GET", "/api/v1/vms", 403, "FORBIDDEN", "this needs an admin");

        CliHarness.Run r = cli.run("vm", "list", "-o", "json");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("this needs an admin\n");
    }

    @Test
    void aBadOutputFormatIsInvalidInput() {
        CliHarness.Run r = cli.run("template", "list", "-o", "xml");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--output': 'xml' is not one of table, json");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aGroupCommandWithoutSubcommandIsInvalidInput() {
        CliHarness.Run r = cli.run("template");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required subcommand: one of list, show, create, update, delete")
                .contains("Usage: deskmesh template");
    }
}
