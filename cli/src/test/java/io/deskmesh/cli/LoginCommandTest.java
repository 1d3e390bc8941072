package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code login}, {@code logout}, the credentials file, and how commands find their node and token. */
class LoginCommandTest {
    private static final String LOGIN = "/api/v1/auth/login";
    private static final String OK = "{\"token\":\"tok-1\",\"user\":\"alice\",\"role\":\"admin\"}";

    @TempDir
    Path dir;
    StubApi api;
    CliHarness cli;

    @BeforeEach
    void setUp() throws IOException {
        api = new StubApi();
        cli = new CliHarness(dir.resolve("config"));
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void loginWithPasswordStdinSendsTheCredentialsAndSavesTheTokenReadableByTheOwnerOnly() throws IOException {
        api.on("POST", LOGIN, OK);

        CliHarness.Run r = cli.stdin("s3cret pw\n").run("login", "--node", api.url(), "--user", "alice", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("logged in to " + api.url() + " as alice (admin)\n");
        StubApi.Request sent = api.only();
        assertThat(sent.line()).isEqualTo("POST " + LOGIN);
        assertThat(sent.body()).isEqualTo("{\"username\":\"alice\",\"password\":\"s3cret pw\"}");
        assertThat(sent.contentType()).isEqualTo("application/json");
        assertThat(sent.authorization()).isNull();
        JsonNode saved = Json.MAPPER.readTree(cli.credentials().toFile());
        assertThat(saved.path("node").asText()).isEqualTo(api.url());
        assertThat(saved.path("token").asText()).isEqualTo("tok-1");
        assertThat(saved.path("user").asText()).isEqualTo("alice");
        assertThat(saved.path("role").asText()).isEqualTo("admin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.credentials()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.configDir))).isEqualTo("rwx------");
        try (var files = Files.list(cli.configDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("credentials.json");
        }
    }

    @Test
    void loginAsksForUserAndPasswordOnTheTerminal() {
        api.on("POST", LOGIN, OK);
        CliHarness.FakeTerminal terminal = cli.terminal("alice", "pw");

        CliHarness.Run r = cli.run("login", "--node", api.url());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(terminal.prompts).containsExactly("user: ", "password for alice at " + api.url() + ": ");
        assertThat(api.only().body()).isEqualTo("{\"username\":\"alice\",\"password\":\"pw\"}");
    }

    @Test
    void loginWithoutTerminalOrPasswordStdinIsInvalidInputAndSendsNothing() {
        CliHarness.Run r = cli.run("login", "--node", api.url(), "--user", "alice");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no terminal to ask for the password on; pipe it in with --password-stdin");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void thereIsNoPasswordOption() {
        CliHarness.Run r = cli.run("login", "--node", api.url(), "--user", "alice", "--password", "x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown options: '--password'").contains("Possible solutions: --password-stdin");
    }

    @Test
    void aRefusedLoginPrintsTheApiMessageAndSavesNothing() {
        api.error("POST", LOGIN, 401, "UNAUTHENTICATED", "wrong user name or password");

        CliHarness.Run r = cli.stdin("nope").run("login", "--node", api.url(), "--user", "alice", "--password-stdin");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("login failed: wrong user name or password\n");
        assertThat(cli.credentials()).doesNotExist();
    }

    @Test
    void loginReplacesAnOpenCredentialsFileWithAnOwnerOnlyOne() throws IOException {
        Files.createDirectories(cli.configDir);
        Files.writeString(cli.credentials(), "{\"node\":\"http://old:1\",\"token\":\"old\"}");
        Files.setPosixFilePermissions(cli.credentials(), PosixFilePermissions.fromString("rw-r--r--"));
        api.on("POST", LOGIN, OK);

        CliHarness.Run r = cli.stdin("pw").run("login", "--node", api.url(), "--user", "alice", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.credentials()))).isEqualTo("rw-------");
        assertThat(Files.readString(cli.credentials())).contains("tok-1").doesNotContain("old");
    }

    @Test
    void otherCommandsUseTheSavedNodeAndToken() {
        api.on("POST", LOGIN, OK).on("GET", "/api/v1/templates", "[]");
        cli.stdin("pw").run("login", "--node", api.url(), "--user", "alice", "--password-stdin");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.requests().get(1).line()).isEqualTo("GET /api/v1/templates");
        assertThat(api.requests().get(1).authorization()).isEqualTo("Bearer tok-1");
    }

    @Test
    void environmentOverridesTheSavedNodeAndTokenAndNodeOptionOverridesTheEnvironment() throws IOException {
        cli.loggedIn("http://127.0.0.1:1", "saved-token");
        cli.env.put(CliEnv.TOKEN, "env-token");
        cli.env.put(CliEnv.NODE, api.url());
        api.on("GET", "/api/v1/templates", "[]");

        assertThat(cli.run("template", "list").exitCode()).isZero();
        assertThat(api.only().authorization()).isEqualTo("Bearer env-token");

        try (StubApi other = new StubApi()) {
            other.on("GET", "/api/v1/templates", "[]");
            assertThat(cli.run("template", "list", "--node", other.url()).exitCode()).isZero();
            assertThat(other.only().authorization()).isEqualTo("Bearer env-token");
        }
    }

    @Test
    void withoutALoginCommandsSendNoTokenAndA401SaysToLogIn() {
        api.error("GET", "/api/v1/templates", 401, "UNAUTHENTICATED", "authentication required");

        CliHarness.Run r = cli.run("template", "list", "--node", api.url());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("not logged in or session expired: run deskmesh login\n");
        assertThat(api.only().authorization()).isNull();
    }

    @Test
    void aBareHostAndPortIsAcceptedAsNode() {
        api.on("GET", "/api/v1/templates", "[]");

        CliHarness.Run r = cli.run("template", "list", "--node", api.url().substring("http://".length()));

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aNodeThatIsNotAnHttpAddressIsInvalidInput() {
        CliHarness.Run r = cli.run("template", "list", "--node", "ftp://host:21");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--node 'ftp://host:21' is not a node address: use http:// or https://");

        cli.env.put(CliEnv.NODE, "http://host:8080/api");
        CliHarness.Run env = cli.run("template", "list");
        assertThat(env.exitCode()).isEqualTo(2);
        assertThat(env.err()).contains("$DESKMESH_NODE 'http://host:8080/api' is not a node address");
    }

    @Test
    void logoutRevokesTheTokenAndRemovesTheSavedLogin() {
        cli.loggedIn(api.url(), "tok-1");
        api.on("POST", "/api/v1/auth/logout", 204, "");

        CliHarness.Run r = cli.run("logout");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("logged out\n");
        assertThat(api.only().line()).isEqualTo("POST /api/v1/auth/logout");
        assertThat(api.only().authorization()).isEqualTo("Bearer tok-1");
        assertThat(cli.credentials()).doesNotExist();
    }

    @Test
    void logoutWithAnExpiredTokenStillForgetsIt() {
        cli.loggedIn(api.url(), "tok-1");
        api.error("POST", "/api/v1/auth/logout", 401, "UNAUTHENTICATED", "token expired");

        CliHarness.Run r = cli.run("logout");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(cli.credentials()).doesNotExist();
    }

    @Test
    void logoutFromAnUnreachableNodeForgetsTheTokenAndSaysItStaysValid() throws IOException {
        String dead = "http://127.0.0.1:" + freePort();
        cli.loggedIn(dead, "tok-1");

        CliHarness.Run r = cli.run("logout");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("cannot reach " + dead + ": ")
                .contains("removed the saved login, but the token could not be revoked and stays valid until it expires");
        assertThat(cli.credentials()).doesNotExist();
    }

    @Test
    void logoutWhenNotLoggedInSendsNothing() {
        CliHarness.Run r = cli.run("logout", "--node", api.url());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("not logged in\n");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aCredentialsFileOthersCanReadIsWarnedAbout() throws IOException {
        cli.loggedIn(api.url(), "tok-1");
        Files.setPosixFilePermissions(cli.credentials(), PosixFilePermissions.fromString("rw-r--r--"));
        api.on("GET", "/api/v1/templates", "[]");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("others can read it; run: chmod 600 " + cli.credentials());
    }

    @Test
    void aDamagedCredentialsFileIsWarnedAboutAndIgnored() throws IOException {
        Files.createDirectories(cli.configDir);
        Files.writeString(cli.credentials(), "not json");
        cli.env.put(CliEnv.NODE, api.url());
        api.on("GET", "/api/v1/templates", "[]");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).startsWith("warning: cannot read credentials file " + cli.credentials())
                .contains("run deskmesh login again");
        assertThat(api.only().authorization()).isNull();
    }

    @Test
    void loginReplacesADamagedCredentialsFile() throws IOException {
        Files.createDirectories(cli.configDir);
        Files.writeString(cli.credentials(), "{\"node\":\"\"}");
        api.on("POST", LOGIN, OK);

        CliHarness.Run r = cli.stdin("pw").run("login", "--node", api.url(), "--user", "alice", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Credentials.load(cli.credentials())).get().extracting(Credentials::token).isEqualTo("tok-1");
    }

    @Test
    void logoutRemovesADamagedCredentialsFile() throws IOException {
        Files.createDirectories(cli.configDir);
        Files.writeString(cli.credentials(), "not json");

        CliHarness.Run r = cli.run("logout", "--node", api.url());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("removed the saved login\n");
        assertThat(cli.credentials()).doesNotExist();
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void credentialsNeverPrintTheirToken() {
        assertThat(new Credentials("http://n:1", "secret-token", "u", "user").toString()).doesNotContain("secret-token");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
