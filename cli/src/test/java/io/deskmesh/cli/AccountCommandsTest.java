package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deskmesh user|group|grant ...} against a stub API: what is sent, what is printed. */
class AccountCommandsTest {
    static final String BOB = "{\"name\":\"bob\",\"role\":\"user\",\"groups\":[\"staff\",\"dev\"]}";
    static final String STAFF = "{\"name\":\"staff\",\"members\":[\"bob\",\"carol\"]}";

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

    // ---- users ---------------------------------------------------------------------------------

    @Test
    void userListPrintsNamesRolesAndGroups() {
        api.on("GET", "/api/v1/users", "{\"users\":[{\"name\":\"admin\",\"role\":\"admin\",\"groups\":[]}," + BOB + "]}");

        CliHarness.Run r = cli.run("user", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                NAME   ROLE   GROUPS
                admin  admin  -
                bob    user   staff, dev
                """);
    }

    @Test
    void userShowJsonPrintsTheApisAnswer() {
        api.on("GET", "/api/v1/users/bob", BOB);

        CliHarness.Run r = cli.run("user", "show", "bob", "-o", "json");

        assertThat(r.out()).isEqualTo("""
                {
                  "name": "bob",
                  "role": "user",
                  "groups": [
                    "staff",
                    "dev"
                  ]
                }
                """);
    }

    @Test
    void userCreateReadsThePasswordFromStdin() {
        api.on("POST", "/api/v1/users", 201, BOB);

        CliHarness.Run r = cli.stdin("pa ss\n").run("user", "create", "bob", "--group", "staff", "--group", "dev",
                "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("created user bob (user)\n");
        assertThat(api.only().line()).isEqualTo("POST /api/v1/users");
        assertThat(api.only().body())
                .isEqualTo("{\"name\":\"bob\",\"password\":\"pa ss\",\"role\":\"user\",\"groups\":[\"staff\",\"dev\"]}");
    }

    @Test
    void userCreateAsksForThePasswordTwiceOnTheTerminal() {
        api.on("POST", "/api/v1/users", 201, BOB);
        CliHarness.FakeTerminal terminal = cli.terminal("pw1", "pw1");

        CliHarness.Run r = cli.run("user", "create", "eve", "--role", "admin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(terminal.prompts).containsExactly("password for eve: ", "again: ");
        assertThat(api.only().body()).isEqualTo("{\"name\":\"eve\",\"password\":\"pw1\",\"role\":\"admin\",\"groups\":[]}");
    }

    @Test
    void userCreateWithTwoDifferentPasswordsSendsNothing() {
        cli.terminal("pw1", "pw2");

        CliHarness.Run r = cli.run("user", "create", "eve");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("the two passwords differ; nothing was changed");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void userCreateRefusesABadRoleOrNameBeforeSending() {
        CliHarness.Run role = cli.run("user", "create", "eve", "--role", "root", "--password-stdin");
        assertThat(role.exitCode()).isEqualTo(2);
        assertThat(role.err()).contains("Invalid value for option '--role': 'root' is not one of admin, user");

        CliHarness.Run name = cli.run("user", "create", "_eve", "--password-stdin");
        assertThat(name.exitCode()).isEqualTo(2);
        assertThat(name.err()).contains("'_eve' is not a valid user name");

        CliHarness.Run empty = cli.stdin("").run("user", "create", "eve", "--password-stdin");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("--password-stdin: standard input held no password");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void userUpdateKeepsWhatIsNotGiven() {
        api.on("GET", "/api/v1/users/bob", BOB).on("PUT", "/api/v1/users/bob", BOB);

        CliHarness.Run r = cli.run("user", "update", "bob", "--role", "admin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("updated user bob\n");
        assertThat(api.lines()).containsExactly("GET /api/v1/users/bob", "PUT /api/v1/users/bob");
        assertThat(api.requests().get(1).body())
                .isEqualTo("{\"name\":\"bob\",\"role\":\"admin\",\"groups\":[\"staff\",\"dev\"]}");
    }

    @Test
    void userUpdateReplacesGroupsAndSetsANewPassword() {
        api.on("GET", "/api/v1/users/bob", BOB).on("PUT", "/api/v1/users/bob", BOB);

        CliHarness.Run r = cli.stdin("new-pw\n").run("user", "update", "bob", "--group", "ops", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.requests().get(1).body())
                .isEqualTo("{\"name\":\"bob\",\"role\":\"user\",\"groups\":[\"ops\"],\"password\":\"new-pw\"}");
    }

    @Test
    void changingYourOwnPasswordKeepsTheNewTokenTheNodeSent() throws Exception {
        String admin = "{\"name\":\"admin\",\"role\":\"admin\",\"groups\":[]}";
        api.on("GET", "/api/v1/users/admin", admin).on("PUT", "/api/v1/users/admin", "{\"name\":\"admin\",\"role\":\"admin\","
                + "\"groups\":[],\"session\":{\"token\":\"dm1.new\",\"user\":\"admin\",\"role\":\"admin\"}}");

        CliHarness.Run r = cli.stdin("new-password-1\n").run("user", "update", "admin", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("now uses the new token");
        assertThat(Credentials.load(cli.credentials()).orElseThrow().token()).isEqualTo("dm1.new");
        assertThat(api.requests().get(1).authorization()).isEqualTo("Bearer tok");
    }

    @Test
    void userUpdateWithNothingToChangeIsInvalidInput() {
        CliHarness.Run r = cli.run("user", "update", "bob");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to change: give --role, --group, --ask-password or --password-stdin");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void userDeleteSendsDeleteAndARefusalPrintsTheApiMessage() {
        api.on("DELETE", "/api/v1/users/bob", 204, "")
                .error("DELETE", "/api/v1/users/admin", 409, "CONFLICT",
                        "'admin' is the last admin and cannot be deleted; make another admin first");

        CliHarness.Run ok = cli.run("user", "delete", "bob");
        CliHarness.Run refused = cli.run("user", "delete", "admin");

        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).isEqualTo("deleted user bob\n");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("'admin' is the last admin and cannot be deleted; make another admin first\n");
        assertThat(api.lines()).containsExactly("DELETE /api/v1/users/bob", "DELETE /api/v1/users/admin");
    }

    // ---- groups --------------------------------------------------------------------------------

    @Test
    void groupListAndShow() {
        api.on("GET", "/api/v1/groups", "[" + STAFF + ",{\"name\":\"empty\",\"members\":[]}]")
                .on("GET", "/api/v1/groups/staff", STAFF);

        assertThat(cli.run("group", "list").out()).isEqualTo("""
                NAME   MEMBERS
                staff  bob, carol
                empty  -
                """);
        assertThat(cli.run("group", "show", "staff").out()).isEqualTo("""
                name:    staff
                members: bob, carol
                """);
    }

    @Test
    void groupCreateSendsNameAndMembers() {
        api.on("POST", "/api/v1/groups", 201, STAFF);

        CliHarness.Run r = cli.run("group", "create", "staff", "--member", "bob", "--member", "carol");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("created group staff with 2 member(s)\n");
        assertThat(api.only().body()).isEqualTo("{\"name\":\"staff\",\"members\":[\"bob\",\"carol\"]}");
    }

    @Test
    void groupUpdateWithMembersReplacesTheListWithoutReadingIt() {
        api.on("PUT", "/api/v1/groups/staff", STAFF);

        CliHarness.Run r = cli.run("group", "update", "staff", "--member", "dave");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.only().line()).isEqualTo("PUT /api/v1/groups/staff");
        assertThat(api.only().body()).isEqualTo("{\"name\":\"staff\",\"members\":[\"dave\"]}");
        assertThat(r.out()).isEqualTo("updated group staff: dave\n");
    }

    @Test
    void groupUpdateAddAndRemoveChangeTheCurrentMembers() {
        api.on("GET", "/api/v1/groups/staff", STAFF).on("PUT", "/api/v1/groups/staff", STAFF);

        CliHarness.Run r = cli.run("group", "update", "staff", "--add-member", "dave", "--remove-member", "bob");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.lines()).containsExactly("GET /api/v1/groups/staff", "PUT /api/v1/groups/staff");
        assertThat(api.requests().get(1).body()).isEqualTo("{\"name\":\"staff\",\"members\":[\"carol\",\"dave\"]}");
    }

    @Test
    void groupUpdateNoMembersEmptiesIt() {
        api.on("PUT", "/api/v1/groups/staff", STAFF);

        CliHarness.Run r = cli.run("group", "update", "staff", "--no-members");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.only().body()).isEqualTo("{\"name\":\"staff\",\"members\":[]}");
        assertThat(r.out()).isEqualTo("updated group staff: no members\n");
    }

    @Test
    void groupUpdateRefusesMixingAWholeListWithChanges() {
        CliHarness.Run r = cli.run("group", "update", "staff", "--member", "a", "--add-member", "b");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("give either the whole list");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void groupDelete() {
        api.on("DELETE", "/api/v1/groups/staff", 204, "");

        CliHarness.Run r = cli.run("group", "delete", "staff");

        assertThat(r.exitCode()).isZero();
        assertThat(api.only().line()).isEqualTo("DELETE /api/v1/groups/staff");
    }

    // ---- grants --------------------------------------------------------------------------------

    @Test
    void grantListShowsUserOrGroup() {
        api.on("GET", "/api/v1/grants", """
                [{"id":"g-1","template":"office","group":"staff"},{"id":"g-2","template":"dev","user":"bob","group":null}]""");

        assertThat(cli.run("grant", "list").out()).isEqualTo("""
                ID   TEMPLATE  USER  GROUP
                g-1  office    -     staff
                g-2  dev       bob   -
                """);
    }

    @Test
    void grantCreateToAUserOrAGroup() {
        api.on("POST", "/api/v1/grants", 201, "{\"id\":\"g-7\",\"template\":\"office\",\"user\":\"bob\"}");

        CliHarness.Run user = cli.run("grant", "create", "--template", "office", "--user", "bob");
        CliHarness.Run group = cli.run("grant", "create", "--template", "office", "--group", "staff");

        assertThat(user.exitCode()).as(user.err()).isZero();
        assertThat(user.out()).isEqualTo("granted template office to user bob (grant g-7)\n");
        assertThat(group.out()).startsWith("granted template office to group staff");
        assertThat(api.requests()).extracting(StubApi.Request::body).containsExactly(
                "{\"template\":\"office\",\"user\":\"bob\"}", "{\"template\":\"office\",\"group\":\"staff\"}");
    }

    @Test
    void grantCreateJsonPrintsTheCreatedGrant() {
        api.on("POST", "/api/v1/grants", 201, "{\"id\":\"g-7\",\"template\":\"office\",\"user\":\"bob\"}");

        CliHarness.Run r = cli.run("grant", "create", "--template", "office", "--user", "bob", "-o", "json");

        assertThat(r.out()).isEqualTo("""
                {
                  "id": "g-7",
                  "template": "office",
                  "user": "bob"
                }
                """);
    }

    @Test
    void grantCreateNeedsExactlyOneOfUserAndGroup() {
        CliHarness.Run both = cli.run("grant", "create", "--template", "office", "--user", "bob", "--group", "staff");
        CliHarness.Run none = cli.run("grant", "create", "--template", "office");

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required argument");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void grantDeleteEncodesTheId() {
        api.on("DELETE", "/api/v1/grants/g%3A1", 204, "");

        CliHarness.Run r = cli.run("grant", "delete", "g:1");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deleted grant g:1\n");
        assertThat(api.only().path()).isEqualTo("/api/v1/grants/g%3A1");
    }
}
