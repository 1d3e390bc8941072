package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.node.api.ApiClient.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin endpoints (templates, users, groups, grants, images, VMs, events) and the request
 * checks every endpoint shares, against a real one-node grid seeded like the demo.
 */
class AdminApiIT {
    static ApiGrid grid;
    static ApiClient api;
    static String admin;
    static String user;

    @BeforeAll
    static void start() throws Exception {
        grid = ApiGrid.start(1, 2);
        api = grid.node(1);
        admin = api.login("admin", ApiGrid.ADMIN_PASSWORD);
        user = api.login("user1", ApiGrid.USER_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    private static Map<String, Object> template(String name) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("cpus", 2);
        t.put("memoryMb", 2048);
        t.put("baseImage", "win11-office");
        return t;
    }

    private static Map<String, Object> with(Map<String, Object> base, String field, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        if (value == null) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        return m;
    }

    // ---- templates ---------------------------------------------------------------------------------

    @Test
    void templatesAreCreatedReadChangedAndDeleted() {
        Answer created = api.post("/api/v1/templates").token(admin).json(with(template("kiosk"), "pool", "persistent")).send();
        assertThat(created.status()).isEqualTo(201);
        JsonNode t = created.json();
        assertThat(t.path("name").asText()).isEqualTo("kiosk");
        assertThat(t.path("cpus").asInt()).isEqualTo(2);
        assertThat(t.path("memoryMb").asLong()).isEqualTo(2048);
        assertThat(t.path("pool").asText()).isEqualTo("persistent");
        assertThat(t.path("desiredVms").asText()).as("default").isEqualTo("auto");
        assertThat(t.path("spareVms").asInt()).isZero();
        assertThat(t.path("minReplicas").asInt()).isEqualTo(2);
        assertThat(t.path("disconnectTimeoutSeconds").asInt()).isEqualTo(3600);
        assertThat(t.path("imageVersion").asInt()).as("the newest version of its base image").isEqualTo(1);
        assertThat(t.path("vms").path("total").asInt()).isZero();
        assertThat(api.get("/api/v1/templates/kiosk").token(admin).send().json()).isEqualTo(t);
        assertThat(names(api.get("/api/v1/templates").token(admin).send().json().path("templates")))
                .contains("kiosk", "office", "dev");

        Answer changed = api.put("/api/v1/templates/kiosk").token(admin).json(Map.of("desiredVms", 3, "spareVms", 1)).send();
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().path("desiredVms").asInt()).isEqualTo(3);
        assertThat(changed.json().path("spareVms").asInt()).isEqualTo(1);
        assertThat(changed.json().path("pool").asText()).as("unchanged fields stay").isEqualTo("persistent");
        assertThat(grid.server(1).image().templates().get("kiosk").orElseThrow().spec().desiredVms().count()).isEqualTo(3);
        assertThat(api.put("/api/v1/templates/kiosk").token(admin).json(Map.of("name", "kiosk", "desiredVms", "auto")).send()
                .json().path("desiredVms").asText()).isEqualTo("auto");
        Answer pinned = api.put("/api/v1/templates/kiosk").token(admin).json(Map.of("imageVersion", 1)).send();
        assertThat(pinned.status()).as("a version is chosen by number: a rollout or a rollback").isEqualTo(200);
        assertThat(pinned.json().path("imageVersion").asInt()).isEqualTo(1);

        assertThat(api.delete("/api/v1/templates/kiosk").token(admin).send().status()).isEqualTo(204);
        Answer gone = api.get("/api/v1/templates/kiosk").token(admin).send();
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(gone.errorMessage()).contains("template 'kiosk' does not exist");

        JsonNode events = api.get("/api/v1/events?action=template.*&actor=admin").token(admin).send().json().path("events");
        assertThat(StreamSupport.stream(events.spliterator(), false).filter(e -> e.path("target").asText().equals("kiosk"))
                .map(e -> e.path("action").asText())).containsExactly("template.create", "template.update", "template.update",
                "template.update", "template.delete");
    }

    @Test
    void templateRequestsWithBadFieldsAreRefusedNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(json(with(template("t1"), "cpus", null)), "field 'cpus' is missing; give a whole number");
        cases.put(json(with(template("t1"), "cpus", "two")), "field 'cpus' must be a whole number, was a string (\"two\")");
        cases.put(json(with(template("t1"), "cpus", 2.5)), "field 'cpus' must be a whole number, was a decimal number");
        cases.put(json(with(template("t1"), "memoryMb", List.of(1))), "field 'memoryMb' must be a whole number, was an array");
        cases.put(json(with(template("t1"), "desiredVms", "many")), "field 'desiredVms' must be a whole number or \"auto\"");
        cases.put(json(with(template("t1"), "desiredVms", -1)), "field 'desiredVms' must be 0 or more");
        cases.put(json(with(template("t1"), "pool", "shared")), "field 'pool' must be \"persistent\" or \"non-persistent\"");
        cases.put(json(with(template("t1"), "desiredVM", 3)), "field 'desiredVM' is not known here; did you mean 'desiredVms'?");
        cases.put(json(with(template("t1"), "imageVersion", 0)), "field 'imageVersion' must be a version number of 1 or more");
        cases.put(json(with(template("t1"), "desiredNow", 1)), "field 'desiredNow' is read-only; leave it out");
        cases.put(json(with(template("t1"), "cpus", 0)), "cpus must be between 1 and 256, was 0");
        cases.put(json(with(template("t1"), "cpus", 99999999999L)), "too large");
        cases.put(json(with(template("Bad Name"), "cpus", 1)), "template name 'Bad Name' is invalid");
        cases.put(json(with(with(template("t1"), "desiredVms", 1), "spareVms", 2)), "spareVms (2) cannot exceed desiredVms (1)");
        cases.put("{\"name\":\"t1\",\"name\":\"t2\"}", "Duplicate field 'name'");
        cases.put("{\"name\":\"t1\"} trailing", "not valid JSON");
        cases.put("", "the body is empty");
        for (var c : cases.entrySet()) {
            Answer a = api.post("/api/v1/templates").token(admin).raw(c.getKey().getBytes(), "application/json").send();
            assertThat(a.status()).as(c.getKey()).isEqualTo(400);
            assertThat(a.errorCode()).as(c.getKey()).isEqualTo("INVALID");
            assertThat(a.errorMessage()).as(c.getKey()).contains(c.getValue());
        }
        assertThat(grid.server(1).image().templates().contains("t1")).isFalse();
    }

    @Test
    void templateConflictsAndUnknownNamesAreRefused() throws Exception {
        Answer duplicate = api.post("/api/v1/templates").token(admin).json(template("office")).send();
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.errorCode()).isEqualTo("CONFLICT");
        assertThat(duplicate.errorMessage()).contains("template 'office' already exists");
        assertThat(api.put("/api/v1/templates/nope").token(admin).json(Map.of("cpus", 1)).send().status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/templates/nope").token(admin).send().status()).isEqualTo(404);
        Answer noSuchVersion = api.put("/api/v1/templates/office").token(admin).json(Map.of("imageVersion", 7)).send();
        assertThat(noSuchVersion.status()).isEqualTo(404);
        assertThat(noSuchVersion.errorMessage()).contains("has no version 7");
        Answer rename = api.put("/api/v1/templates/office").token(admin).json(Map.of("name", "office2")).send();
        assertThat(rename.status()).isEqualTo(400);
        assertThat(rename.errorMessage()).contains("cannot be renamed");
        ApiGrid.await(() -> refusedCreates("office") == 1, "the refused duplicate to be audited", 5_000);
    }

    private static long refusedCreates(String template) {
        JsonNode events = api.get("/api/v1/events?action=template.create&actor=admin").token(admin).send().json()
                .path("events");
        return StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.path("target").asText().equals(template) && !e.path("ok").asBoolean()).count();
    }

    // ---- request checks shared by every endpoint ------------------------------------------------------

    @Test
    void bodiesMustBeJsonOfAtMostOneMegabyte() {
        Answer text = api.post("/api/v1/groups").token(admin).raw("{\"name\":\"g1\"}".getBytes(), "text/plain").send();
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.errorMessage()).contains("Content-Type: application/json", "text/plain");
        Answer none = api.post("/api/v1/groups").token(admin).raw("{\"name\":\"g1\"}".getBytes(), null).send();
        assertThat(none.status()).isEqualTo(415);

        byte[] big = ("{\"name\":\"g1\",\"members\":[" + "\"user1\",".repeat(150_000) + "\"user1\"]}").getBytes();
        Answer huge = api.post("/api/v1/groups").token(admin).raw(big, "application/json").send();
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errorCode()).isEqualTo("TOO_LARGE");
        assertThat(huge.errorMessage()).contains("1000000 bytes");

        Answer drainBody = api.post("/api/v1/servers/node1/drain").token(admin).json(Map.of("force", true)).send();
        assertThat(drainBody.status()).as("endpoints without a body refuse fields").isEqualTo(400);
        assertThat(drainBody.errorMessage()).contains("field 'force' is not known");
        assertThat(grid.server(1).image().accounts().groupExists("g1")).isFalse();
        assertThat(grid.server(1).image().servers().get("node1").orElseThrow().draining()).isFalse();
    }

    @Test
    void queryParametersAreCheckedLikeFields() {
        Answer unknown = api.get("/api/v1/vms?templat=office").token(admin).send();
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("query parameter 'templat' is not known", "template");
        assertThat(api.get("/api/v1/events?limit=0").token(admin).send().status()).isEqualTo(400);
        assertThat(api.get("/api/v1/events?since=abc").token(admin).send().errorMessage()).contains("whole number");
        assertThat(api.get("/api/v1/vms?state=a&state=b").token(admin).send().status()).isEqualTo(400);
    }

    @Test
    void unknownEndpointsAnswerWithAJsonError() {
        Answer a = api.get("/api/v1/templatez").token(admin).send();
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(a.errorMessage()).contains("no endpoint GET /api/v1/templatez", "/api/v1/openapi.json");
        assertThat(api.new Call("PATCH", "/api/v1/templates/office").token(admin).json("{}").send().errorMessage())
                .contains("no endpoint PATCH");
    }

    @Test
    void everyAdminEndpointRefusesTheUnauthenticatedAndUsers() {
        List<String[]> routes = List.of(
                new String[]{"GET", "/api/v1/templates"}, new String[]{"POST", "/api/v1/templates"},
                new String[]{"GET", "/api/v1/templates/office"}, new String[]{"PUT", "/api/v1/templates/office"},
                new String[]{"DELETE", "/api/v1/templates/office"},
                new String[]{"GET", "/api/v1/users"}, new String[]{"POST", "/api/v1/users"},
                new String[]{"GET", "/api/v1/users/user2"}, new String[]{"PUT", "/api/v1/users/user2"},
                new String[]{"DELETE", "/api/v1/users/user2"},
                new String[]{"GET", "/api/v1/groups"}, new String[]{"POST", "/api/v1/groups"},
                new String[]{"GET", "/api/v1/groups/staff"}, new String[]{"PUT", "/api/v1/groups/staff"},
                new String[]{"DELETE", "/api/v1/groups/staff"},
                new String[]{"GET", "/api/v1/grants"}, new String[]{"POST", "/api/v1/grants"},
                new String[]{"DELETE", "/api/v1/grants/g-1"},
                new String[]{"GET", "/api/v1/servers"}, new String[]{"POST", "/api/v1/servers/node1/drain"},
                new String[]{"POST", "/api/v1/servers/node1/resume"}, new String[]{"DELETE", "/api/v1/servers/node1"},
                new String[]{"GET", "/api/v1/images"}, new String[]{"GET", "/api/v1/vms"}, new String[]{"GET", "/api/v1/events"});
        for (String[] r : routes) {
            Answer anonymous = new ApiClient(api.url).new Call(r[0], r[1]).json("{}").send();
            assertThat(anonymous.status()).as("%s %s without a token", r[0], r[1]).isEqualTo(401);
            assertThat(anonymous.errorCode()).isEqualTo("UNAUTHENTICATED");
            Answer asUser = new ApiClient(api.url).new Call(r[0], r[1]).token(user).json("{}").send();
            assertThat(asUser.status()).as("%s %s as a user", r[0], r[1]).isEqualTo(403);
            assertThat(asUser.errorCode()).isEqualTo("FORBIDDEN");
        }
        assertThat(grid.server(1).image().templates().contains("office")).isTrue();
        assertThat(grid.server(1).image().accounts().user("user2")).isPresent();
        assertThat(grid.server(1).image().accounts().members("staff")).contains("user1", "user2");
        assertThat(grid.server(1).image().servers().get("node1").orElseThrow().draining()).isFalse();
    }

    // ---- users ----------------------------------------------------------------------------------------

    @Test
    void usersAreCreatedWithGroupsChangedAndDeletedAndNeverShowAHash() {
        Answer created = api.post("/api/v1/users").token(admin).json(Map.of("name", "gail", "password", "gail-password-1",
                "groups", List.of("staff"), "site", "site-b")).send();
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("role").asText()).as("default role").isEqualTo("user");
        assertThat(texts(created.json().path("groups"))).containsExactly("staff");
        assertThat(created.json().path("site").asText()).isEqualTo("site-b");
        assertThat(grid.server(1).image().accounts().members("staff")).contains("gail", "user1", "user2");
        assertThat(api.login("gail", "gail-password-1")).isNotEmpty();

        Answer list = api.get("/api/v1/users").token(admin).send();
        assertThat(names(list.json().path("users"))).contains("admin", "user1", "gail");
        assertThat(list.body()).doesNotContain("argon2", "password");
        assertThat(api.get("/api/v1/users/gail").token(admin).send().json()).isEqualTo(created.json());

        Answer changed = api.put("/api/v1/users/gail").token(admin).json(Map.of("groups", List.of(), "role", "admin")).send();
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().path("role").asText()).isEqualTo("admin");
        assertThat(changed.json().path("groups").size()).isZero();
        assertThat(grid.server(1).image().accounts().members("staff")).doesNotContain("gail").contains("user1", "user2");

        assertThat(api.delete("/api/v1/users/gail").token(admin).send().status()).isEqualTo(204);
        assertThat(api.get("/api/v1/users/gail").token(admin).send().status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/users/gail").token(admin).send().status()).isEqualTo(404);
    }

    @Test
    void userRequestsAreCheckedBeforeAnythingIsWritten() {
        Map<Object, String> bad = new LinkedHashMap<>();
        bad.put(Map.of("name", "hal", "password", "short"), "field 'password' must have 8 to 1024 characters, had 5");
        bad.put(Map.of("name", "hal", "password", "hal-password-1", "role", "root"), "field 'role' must be \"admin\" or \"user\"");
        bad.put(Map.of("name", "hal", "password", "hal-password-1", "groups", "staff"), "field 'groups' must be an array of strings");
        bad.put(Map.of("name", "hal", "password", "hal-password-1", "groups", List.of(1)), "item 0 is a whole number");
        bad.put(Map.of("name", "hal"), "field 'password' is missing");
        bad.put(Map.of("name", "hal smith", "password", "hal-password-1"), "user name 'hal smith' is invalid");
        bad.put(Map.of("name", "hal", "password", "hal-password-1", "createdAt", "x"), "field 'createdAt' is read-only");
        for (var c : bad.entrySet()) {
            Answer a = api.post("/api/v1/users").token(admin).json(c.getKey()).send();
            assertThat(a.status()).as("%s", c.getKey()).isEqualTo(400);
            assertThat(a.errorMessage()).as("%s", c.getKey()).contains(c.getValue());
        }
        Answer noGroup = api.post("/api/v1/users").token(admin).json(Map.of("name", "hal", "password", "hal-password-1",
                "groups", List.of("staff", "nope"))).send();
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.errorMessage()).contains("group 'nope' does not exist");
        assertThat(grid.server(1).image().accounts().user("hal")).as("neither the user nor its groups").isEmpty();

        Answer duplicate = api.post("/api/v1/users").token(admin).json(Map.of("name", "user1", "password", "x-password-1"))
                .send();
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.errorMessage()).contains("user 'user1' already exists");
        assertThat(api.put("/api/v1/users/user1").token(admin).json(Map.of()).send().errorMessage())
                .contains("nothing to change");
        assertThat(api.put("/api/v1/users/nobody").token(admin).json(Map.of("role", "user")).send().status()).isEqualTo(404);
        Answer lastAdmin = api.put("/api/v1/users/admin").token(admin).json(Map.of("role", "user")).send();
        assertThat(lastAdmin.status()).isEqualTo(409);
        assertThat(lastAdmin.errorMessage()).contains("last admin");
        assertThat(api.delete("/api/v1/users/admin").token(admin).send().status()).isEqualTo(409);
    }

    // ---- groups and grants -------------------------------------------------------------------------------

    @Test
    void groupsAreCreatedGivenMembersAndDeleted() {
        Answer created = api.post("/api/v1/groups").token(admin).json(Map.of("name", "ops", "members", List.of("user2"))).send();
        assertThat(created.status()).isEqualTo(201);
        assertThat(texts(created.json().path("members"))).containsExactly("user2");
        assertThat(api.post("/api/v1/groups").token(admin).json(Map.of("name", "ops")).send().status()).isEqualTo(409);
        Answer unknownMember = api.post("/api/v1/groups").token(admin).json(Map.of("name", "ops2", "members", List.of("zed")))
                .send();
        assertThat(unknownMember.status()).isEqualTo(404);
        assertThat(unknownMember.errorMessage()).contains("user 'zed' does not exist");

        Answer set = api.put("/api/v1/groups/ops").token(admin).json(Map.of("members", List.of("user1", "user2"))).send();
        assertThat(texts(set.json().path("members"))).containsExactly("user1", "user2");
        assertThat(api.get("/api/v1/groups/ops").token(admin).send().json()).isEqualTo(set.json());
        assertThat(names(api.get("/api/v1/groups").token(admin).send().json().path("groups"))).contains("ops", "staff");
        assertThat(api.put("/api/v1/groups/ops").token(admin).json(Map.of("name", "ops")).send().errorMessage())
                .contains("field 'members' is missing");
        assertThat(api.put("/api/v1/groups/nope").token(admin).json(Map.of("members", List.of())).send().status())
                .isEqualTo(404);
        assertThat(api.delete("/api/v1/groups/ops").token(admin).send().status()).isEqualTo(204);
        assertThat(api.get("/api/v1/groups/ops").token(admin).send().status()).isEqualTo(404);
    }

    @Test
    void grantsNameExactlyOneOfUserOrGroupAndAreRevoked() {
        Answer toUser = api.post("/api/v1/grants").token(admin).json(Map.of("template", "dev", "user", "user1")).send();
        assertThat(toUser.status()).isEqualTo(201);
        String id = toUser.json().path("id").asText();
        assertThat(toUser.json().path("user").asText()).isEqualTo("user1");
        assertThat(toUser.json().has("group")).isFalse();
        assertThat(grid.server(1).image().accounts().grant(id)).isPresent();
        JsonNode devGrants = api.get("/api/v1/grants?template=dev").token(admin).send().json().path("grants");
        assertThat(StreamSupport.stream(devGrants.spliterator(), false).map(g -> g.path("id").asText())).contains(id);
        assertThat(StreamSupport.stream(devGrants.spliterator(), false).map(g -> g.path("template").asText()))
                .containsOnly("dev");
        assertThat(api.get("/api/v1/grants?user=user1").token(admin).send().json().path("grants").size()).isEqualTo(1);

        Answer again = api.post("/api/v1/grants").token(admin).json(Map.of("template", "dev", "user", "user1")).send();
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorMessage()).contains("already gives user 'user1'");
        Answer both = api.post("/api/v1/grants").token(admin).json(Map.of("template", "dev", "user", "user1", "group", "staff"))
                .send();
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.errorMessage()).contains("exactly one of 'user' or 'group', got both");
        assertThat(api.post("/api/v1/grants").token(admin).json(Map.of("template", "dev")).send().errorMessage())
                .contains("got neither");
        assertThat(api.post("/api/v1/grants").token(admin).json(Map.of("template", "nope", "group", "staff")).send().status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/grants").token(admin).json(Map.of("template", "dev", "user", "zed")).send().status())
                .isEqualTo(404);

        assertThat(api.delete("/api/v1/grants/" + id).token(admin).send().status()).isEqualTo(204);
        assertThat(grid.server(1).image().accounts().grant(id)).isEmpty();
        Answer gone = api.delete("/api/v1/grants/" + id).token(admin).send();
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorMessage()).contains("grant '" + id + "' does not exist");
    }

    // ---- images, VMs, events ---------------------------------------------------------------------------

    @Test
    void imagesShowTheirReplicasAndTemplates() {
        JsonNode images = api.get("/api/v1/images").token(admin).send().json().path("images");
        JsonNode office = StreamSupport.stream(images.spliterator(), false)
                .filter(i -> i.path("image").asText().equals("win11-office")).findFirst().orElseThrow();
        assertThat(office.path("version").asInt()).isEqualTo(1);
        assertThat(office.path("sha256").asText()).hasSize(64);
        assertThat(office.path("sizeBytes").asLong()).isEqualTo(8L << 20);
        assertThat(texts(office.path("templates"))).contains("office");
        assertThat(office.path("replicas").get(0).path("server").asText()).isEqualTo("node1");
        assertThat(office.path("replicas").get(0).path("state").asText()).isEqualTo("landed");
    }

    @Test
    void vmsAreListedAndFiltered() throws Exception {
        ApiGrid.await(() -> officeVms().size() == 8, "the office pool (8 VMs) to be allocated", 20_000);
        List<String> office = officeVms();
        JsonNode filtered = api.get("/api/v1/vms?template=office&server=node1").token(admin).send().json().path("vms");
        assertThat(StreamSupport.stream(filtered.spliterator(), false).map(v -> v.path("id").asText()))
                .containsExactlyElementsOf(office);
        assertThat(StreamSupport.stream(filtered.spliterator(), false).map(v -> v.path("template").asText()))
                .containsOnly("office");
        JsonNode all = api.get("/api/v1/vms").token(admin).send().json().path("vms");
        assertThat(StreamSupport.stream(all.spliterator(), false).map(v -> v.path("id").asText())).containsAll(office);
        String state = filtered.get(0).path("state").asText();
        JsonNode inState = api.get("/api/v1/vms?state=" + state).token(admin).send().json().path("vms");
        assertThat(inState.size()).isPositive();
        assertThat(StreamSupport.stream(inState.spliterator(), false).map(v -> v.path("state").asText())).containsOnly(state);

        Answer badState = api.get("/api/v1/vms?state=sleeping").token(admin).send();
        assertThat(badState.status()).isEqualTo(400);
        assertThat(badState.errorMessage()).contains("'state' must be one of", "running", "sleeping");
        assertThat(api.get("/api/v1/vms?template=nope").token(admin).send().status()).isEqualTo(404);
        assertThat(api.get("/api/v1/vms?server=nope").token(admin).send().status()).isEqualTo(404);
    }

    @Test
    void eventsAreFilteredPagedAndFollowed() {
        api.post("/api/v1/groups").token(admin).json(Map.of("name", "evt-a")).send();
        api.post("/api/v1/groups").token(admin).json(Map.of("name", "evt-b")).send();
        JsonNode latest = api.get("/api/v1/events?limit=2").token(admin).send().json();
        long last = latest.path("lastSeq").asLong();
        assertThat(latest.path("events").size()).isEqualTo(2);
        assertThat(latest.path("events").get(1).path("seq").asLong()).as("oldest first, up to the latest").isEqualTo(last);
        JsonNode groups = api.get("/api/v1/events?action=group.create&limit=1000").token(admin).send().json().path("events");
        assertThat(StreamSupport.stream(groups.spliterator(), false).map(e -> e.path("target").asText()))
                .contains("evt-a", "evt-b");
        JsonNode first = api.get("/api/v1/events?since=0&limit=1").token(admin).send().json().path("events");
        assertThat(first.get(0).path("seq").asLong()).isEqualTo(1);
        assertThat(first.get(0).path("action").asText()).isEqualTo("user.create");
        assertThat(first.get(0).path("actor").asText()).isEqualTo("system:node1");
        JsonNode after = api.get("/api/v1/events?since=" + (last - 1)).token(admin).send().json().path("events");
        assertThat(after.get(0).path("seq").asLong()).isEqualTo(last);
    }

    // ---- the OpenAPI document -------------------------------------------------------------------------

    @Test
    void theOpenApiDocumentIsPublicValidAndNamesEveryRoute() {
        Answer doc = api.get("/api/v1/openapi.json").send();
        assertThat(doc.status()).isEqualTo(200);
        JsonNode root = doc.json();
        assertThat(root.path("openapi").asText()).startsWith("3.");
        assertThat(root.path("info").path("title").asText()).isNotEmpty();
        JsonNode paths = root.path("paths");
        List<String> missing = new ArrayList<>();
        for (Api.Route r : grid.server(1).api().routes()) {
            if (r.path().startsWith("/api/v1/") && !paths.path(r.path()).has(r.method().toLowerCase())) {
                missing.add(r.method() + " " + r.path());
            }
        }
        assertThat(missing).as("routes missing from openapi.json").isEmpty();
        assertThat(grid.server(1).api().routes()).as("the check saw the routes").hasSizeGreaterThan(25);
        OpenApiCheck.assertValid(root);
    }

    /** The office pool's VM ids on node 1, sorted as the API lists them. */
    private static List<String> officeVms() {
        return List.copyOf(grid.server(1).image().vms().on("office", "node1"));
    }

    private static String json(Object value) {
        try {
            return ApiClient.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<String> names(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path("name").asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
