package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

class CliTest {

    /** Exit code, stdout and stderr of one in-process run. */
    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = DeskMeshCli.newCommandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
        int exitCode = cmd.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void versionOptionPrintsVersionAndRuntime() {
        Run r = run("--version");

        assertThat(r.exitCode()).isZero();
        // Classes run from target/classes have no manifest, so the version is "dev".
        assertThat(r.out()).startsWith("deskmesh " + DeskMeshVersion.version() + System.lineSeparator());
        assertThat(DeskMeshVersion.version()).isEqualTo("dev");
        assertThat(r.out()).contains("Java " + Runtime.version());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionSubcommandPrintsTheSameAsTheOption() {
        Run sub = run("version");

        assertThat(sub.exitCode()).isZero();
        assertThat(sub.out()).isEqualTo(run("--version").out());
    }

    @Test
    void helpListsSubcommandsAndStandardOptions() {
        Run r = run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("Usage: deskmesh [-hV] COMMAND")
                .contains("Commands:")
                .containsPattern("(?m)^\\s+version\\s+Print the DeskMesh version")
                .containsPattern("(?m)^\\s+help\\s+")
                .contains("--version")
                .contains("--help");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void everyRegisteredSubcommandHasADescription() {
        CommandLine cmd = DeskMeshCli.newCommandLine();

        assertThat(cmd.getSubcommands()).containsKey("version");
        cmd.getSubcommands().forEach((name, sub) ->
                assertThat(sub.getCommandSpec().usageMessage().description())
                        .as("description of subcommand %s", name)
                        .isNotEmpty());
    }

    @Test
    void aNodeRefusesAnAgentSilenceLimitOutsideItsRangeBeforeStarting() {
        Run r = run("node", "--name", "n1", "--data", "/nonexistent/deskmesh-cli-test", "--http", "127.0.0.1:1",
                "--peer", "127.0.0.1:2", "--agent-silence-seconds", "3");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--agent-silence-seconds 3 is out of range").contains("5 to 3600");

        Run word = run("node", "--name", "n1", "--data", "/nonexistent/deskmesh-cli-test", "--http", "127.0.0.1:1",
                "--peer", "127.0.0.1:2", "--agent-silence-seconds", "ten");
        assertThat(word.exitCode()).isEqualTo(2);
        assertThat(word.err()).contains("--agent-silence-seconds").contains("'ten'");
    }

    @Test
    void unknownOptionExitsWithTwoAndNamesTheOption() {
        Run r = run("--bogus");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .contains("Unknown option: '--bogus'")
                .contains("Usage: deskmesh");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownOptionOnASubcommandNamesTheOptionAndThatCommandsUsage() {
        Run r = run("version", "--bogus");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err())
                .contains("Unknown option: '--bogus'")
                .contains("Usage: deskmesh version");
    }

    @Test
    void unknownSubcommandExitsWithTwo() {
        Run r = run("frobnicate");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'frobnicate'").contains("Usage: deskmesh");
    }

    @Test
    void missingSubcommandExitsWithTwoAndShowsUsage() {
        Run r = run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required subcommand").contains("Usage: deskmesh");
    }

    @Test
    void nodeRefusesATrustForwardedProtoThatIsNotABoolean(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("node.properties");
        java.nio.file.Files.writeString(config, "name=node1\ndata=" + dir.resolve("data") + "\nhttp=127.0.0.1:1\n"
                + "peer=127.0.0.1:2\ntrust-forwarded-proto=yes\n");
        Run r = run("node", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("trust-forwarded-proto='yes' must be true or false");
        assertThat(run("node", "--help").out()).contains("--trust-forwarded-proto");
    }
}
