package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code deskmesh template ...} against a stub API: what is sent, what is printed. */
class TemplateCommandTest {
    static final String OFFICE = """
            {"name":"office","cpus":2,"memoryMb":4096,"baseImage":"win11","pool":"non-persistent","desiredVms":8,\
            "spareVms":2,"minReplicas":2,"idleTimeoutSeconds":1800,"disconnectTimeoutSeconds":600}""";
    static final String DEV = """
            {"name":"dev","cpus":2,"memoryMb":2048,"baseImage":"ubuntu","pool":"persistent","desiredVms":"auto",\
            "spareVms":1,"minReplicas":2,"idleTimeoutSeconds":3600,"disconnectTimeoutSeconds":3600}""";
    /** A template as the API lists it: the writable fields and read-only ones. */
    static final String DEV_LISTED = DEV.replace("}", ",\"imageVersion\":1,\"desiredNow\":3,\"vms\":{\"total\":2,\"free\":1,"
            + "\"byState\":{\"stopped\":2},\"byServer\":{\"node1\":2}},\"sessions\":0,\"createdAt\":\"2023-11-14T22:13:20Z\"}");

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

    @Test
    void listPrintsATable() {
        api.on("GET", "/api/v1/templates", "{\"templates\":[" + OFFICE + "," + DEV_LISTED + "]}");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                NAME    POOL            CPUS  MEMORY_MB  BASE_IMAGE       DESIRED  VMS  SPARE  MIN_REPLICAS  IDLE_S  DISCONNECT_S
                office  non-persistent     2       4096  win11                  8    -      2             2    1800           600
                dev     persistent         2       2048  ubuntu      auto (now 3)    2      1             2    3600          3600
                """);
        assertThat(api.only().line()).isEqualTo("GET /api/v1/templates");
        assertThat(api.only().authorization()).isEqualTo("Bearer tok");
    }

    @Test
    void listAcceptsABareListToo() {
        api.on("GET", "/api/v1/templates", "[" + DEV + "]");

        CliHarness.Run r = cli.run("template", "list");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\ndev   persistent ");
    }

    @Test
    void listJsonPrintsTheApisAnswerPrettyPrinted() {
        api.on("GET", "/api/v1/templates", "[" + DEV + "]");

        CliHarness.Run r = cli.run("template", "list", "--output", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                [
                  {
                    "name": "dev",
                    "cpus": 2,
                    "memoryMb": 2048,
                    "baseImage": "ubuntu",
                    "pool": "persistent",
                    "desiredVms": "auto",
                    "spareVms": 1,
                    "minReplicas": 2,
                    "idleTimeoutSeconds": 3600,
                    "disconnectTimeoutSeconds": 3600
                  }
                ]
                """);
    }

    @Test
    void anEmptyListSaysHowToCreateOne() {
        api.on("GET", "/api/v1/templates", "[]");

        assertThat(cli.run("template", "list").out())
                .isEqualTo("no templates; create one with: deskmesh template create NAME ...\n");
    }

    @Test
    void showPrintsEveryFieldTheApiSent() {
        api.on("GET", "/api/v1/templates/office", OFFICE.replace("}",
                ",\"vms\":{\"total\":8,\"byState\":{\"running\":2,\"stopped\":6}},\"note\":\"\",\"owner\":null}"));

        CliHarness.Run r = cli.run("template", "show", "office");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                name:                     office
                cpus:                     2
                memoryMb:                 4096
                baseImage:                win11
                pool:                     non-persistent
                desiredVms:               8
                spareVms:                 2
                minReplicas:              2
                idleTimeoutSeconds:       1800
                disconnectTimeoutSeconds: 600
                vms.total:                8
                vms.byState.running:      2
                vms.byState.stopped:      6
                note:                     -
                owner:                    -
                """);
    }

    @Test
    void createSendsEveryOptionGiven() {
        api.on("POST", "/api/v1/templates", 201, OFFICE);

        CliHarness.Run r = cli.run("template", "create", "office", "--cpus", "2", "--memory-mb", "4096",
                "--base-image", "win11", "--pool", "non-persistent", "--desired", "8", "--spare", "2",
                "--min-replicas", "3", "--idle-timeout", "1800", "--disconnect-timeout", "600");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("created template office\n");
        assertThat(api.only().line()).isEqualTo("POST /api/v1/templates");
        assertThat(api.only().body()).isEqualTo("""
                {"name":"office","cpus":2,"memoryMb":4096,"baseImage":"win11","pool":"non-persistent",\
                "desiredVms":8,"spareVms":2,"minReplicas":3,"idleTimeoutSeconds":1800,"disconnectTimeoutSeconds":600}""");
    }

    @Test
    void createFillsInTheDocumentedDefaults() {
        api.on("POST", "/api/v1/templates", 201, DEV);

        CliHarness.Run r = cli.run("template", "create", "dev", "--cpus", "2", "--memory-mb", "2048",
                "--base-image", "ubuntu", "--pool", "persistent");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.only().body()).isEqualTo("""
                {"name":"dev","cpus":2,"memoryMb":2048,"baseImage":"ubuntu","pool":"persistent",\
                "desiredVms":"auto","spareVms":0,"minReplicas":2,"idleTimeoutSeconds":0,"disconnectTimeoutSeconds":0}""");
    }

    @Test
    void createNamesEveryMissingRequiredOption() {
        CliHarness.Run r = cli.run("template", "create", "dev", "--cpus", "2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required option(s): --memory-mb, --base-image, --pool\n")
                .contains("Usage: deskmesh template create");
        assertThat(api.requests()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "NAME          | Bad        | 'Bad' is not a valid name",
            "--cpus        | 0          | --cpus must be between 1 and 256, was 0",
            "--cpus        | two        | Invalid value for option '--cpus': 'two' is not an int",
            "--memory-mb   | 32         | --memory-mb must be between 64 and 4194304, was 32",
            "--pool        | sometimes  | Invalid value for option '--pool': 'sometimes' is not one of persistent, non-persistent",
            "--desired     | lots       | 'lots' is neither 'auto' nor a whole number from 0 to 1000000",
            "--desired     | -1         | '-1' is neither 'auto' nor a whole number from 0 to 1000000",
            "--spare       | 9          | --spare (9) cannot exceed --desired (4)",
            "--min-replicas| 0          | --min-replicas must be between 1 and 64, was 0",
            "--idle-timeout| -5         | --idle-timeout must be between 0 and 31622400, was -5",
            "--base-image  | Win 11     | Invalid value for option '--base-image': 'Win 11' is not a valid name",
    })
    void createRefusesBadValuesBeforeSendingAnything(String option, String value, String message) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("NAME", "dev", "--cpus", "2", "--memory-mb", "2048",
                "--base-image", "ubuntu", "--pool", "persistent", "--desired", "4"));
        options.put(option, value);
        List<String> args = new ArrayList<>(List.of("template", "create", options.remove("NAME")));
        options.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });

        CliHarness.Run r = cli.run(args.toArray(String[]::new));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void updateReadsTheTemplateAndWritesBackTheContractFieldsWithOnlyTheGivenOnesChanged() {
        api.on("GET", "/api/v1/templates/office", OFFICE.replace("}", ",\"imageVersion\":3,\"vms\":8}"))
                .on("PUT", "/api/v1/templates/office", OFFICE);

        CliHarness.Run r = cli.run("template", "update", "office", "--desired", "auto", "--spare", "4");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("updated template office\n");
        assertThat(api.lines()).containsExactly("GET /api/v1/templates/office", "PUT /api/v1/templates/office");
        assertThat(api.requests().get(1).body()).isEqualTo("""
                {"name":"office","cpus":2,"memoryMb":4096,"baseImage":"win11","pool":"non-persistent",\
                "desiredVms":"auto","spareVms":4,"minReplicas":2,"idleTimeoutSeconds":1800,"disconnectTimeoutSeconds":600}""");
    }

    @Test
    void anImageVersionRollsThePoolOutOrBack() {
        api.on("GET", "/api/v1/templates/office", OFFICE.replace("}", ",\"imageVersion\":3}"))
                .on("PUT", "/api/v1/templates/office", OFFICE);

        CliHarness.Run r = cli.run("template", "update", "office", "--image-version", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.requests().get(1).body()).contains("\"imageVersion\":2");
        CliHarness.Run bad = cli.run("template", "update", "office", "--image-version", "0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--image-version must be between 1 and");
    }

    @Test
    void updateRefusesMoreSparesThanTheTemplatesFixedCountWithoutWriting() {
        api.on("GET", "/api/v1/templates/office", OFFICE);

        CliHarness.Run r = cli.run("template", "update", "office", "--spare", "9");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--spare (9) cannot exceed --desired (8)");
        assertThat(api.lines()).containsExactly("GET /api/v1/templates/office");
    }

    @Test
    void updateWithNothingToChangeIsInvalidInput() {
        CliHarness.Run r = cli.run("template", "update", "office");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nothing to change");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void updateOfAnUnknownTemplatePrintsTheApiMessage() {
        api.error("GET", "/api/v1/templates/nope", 404, "NOT_FOUND", "template 'nope' does not exist");

        CliHarness.Run r = cli.run("template", "update", "nope", "--cpus", "4");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("template 'nope' does not exist\n");
        assertThat(api.lines()).containsExactly("GET /api/v1/templates/nope");
    }

    @Test
    void deleteSendsDelete() {
        api.on("DELETE", "/api/v1/templates/office", 204, "");

        CliHarness.Run r = cli.run("template", "delete", "office");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deleted template office\n");
        assertThat(api.only().line()).isEqualTo("DELETE /api/v1/templates/office");
        assertThat(api.only().body()).isEmpty();
    }

    @Test
    void deleteRefusedWithAConflictPrintsTheApiMessage() {
        api.error("DELETE", "/api/v1/templates/office", 409, "CONFLICT",
                "template 'office' has 2 live session(s); log them off first");

        CliHarness.Run r = cli.run("template", "delete", "office");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("template 'office' has 2 live session(s); log them off first\n");
        assertThat(r.out()).isEmpty();
    }
}
