package io.deskmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code deskmesh} in-process with a surroundings of the test's making: environment variables
 * (with {@code DESKMESH_CONFIG} in a temporary directory, so the real home is never touched), standard
 * input, and a scripted terminal (or none). Not thread-safe.
 */
final class CliHarness {
    /** Exit code, stdout and stderr of one run (line breaks as {@code \n}). */
    record Run(int exitCode, String out, String err) {
    }

    final Path configDir;
    final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private FakeTerminal terminal;

    CliHarness(Path configDir) {
        this.configDir = configDir;
        env.put(CliEnv.CONFIG, configDir.toString());
    }

    /** Saves a login to {@code url} with token {@code token}, as {@code deskmesh login} would. */
    CliHarness loggedIn(String url, String token) {
        new Credentials(url, token, "admin", "admin").save(credentials());
        return this;
    }

    Path credentials() {
        return configDir.resolve("credentials.json");
    }

    CliHarness stdin(String text) {
        this.stdin = text;
        return this;
    }

    /** A terminal that answers prompts with these lines, in order (passwords included). */
    FakeTerminal terminal(String... answers) {
        terminal = new FakeTerminal(new ArrayDeque<>(List.of(answers)));
        return terminal;
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnv cliEnv = new CliEnv(env::get, configDir.resolve("home"),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal);
        // No terminal width detection: picocli would start a process (stty) for every usage message.
        CommandLine cmd = DeskMeshCli.newCommandLine(cliEnv).setUsageHelpAutoWidth(false);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
        int code = cmd.execute(args);
        return new Run(code, out.toString().replace("\r\n", "\n"), err.toString().replace("\r\n", "\n"));
    }

    /** A terminal answering from a script and remembering the prompts it showed. */
    static final class FakeTerminal implements CliEnv.Terminal {
        final List<String> prompts = new ArrayList<>();
        private final Deque<String> answers;

        FakeTerminal(Deque<String> answers) {
            this.answers = answers;
        }

        @Override
        public String readLine(String prompt) {
            prompts.add(prompt);
            return answers.poll();
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add(prompt);
            String a = answers.poll();
            return a == null ? null : a.toCharArray();
        }
    }
}
