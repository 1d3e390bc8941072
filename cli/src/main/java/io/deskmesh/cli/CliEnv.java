package io.deskmesh.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What the commands read from their surroundings: environment variables, the home directory, standard
 * input and the terminal. The real process uses {@link #system()}; tests pass their own, so no command
 * touches {@code System.getenv}, {@code System.in} or {@code System.console()} directly. Immutable.
 *
 * @param variables environment variables by name (null when unset)
 * @param home      the user's home directory
 * @param stdin     standard input, for {@code --password-stdin}
 * @param terminal  the interactive terminal, or null when there is none (scripts, pipes)
 */
public record CliEnv(Function<String, String> variables, Path home, InputStream stdin, Terminal terminal) {

    /** Names the node to talk to, overriding the one saved at login. */
    public static final String NODE = "DESKMESH_NODE";
    /** An API token, overriding the one saved at login. */
    public static final String TOKEN = "DESKMESH_TOKEN";
    /** The directory holding {@code credentials.json}, instead of {@code ~/.config/deskmesh}. */
    public static final String CONFIG = "DESKMESH_CONFIG";

    /** An interactive terminal: prompts, and reads a password without echo. */
    public interface Terminal {
        /** Shows the prompt and reads a line; null at end of input. */
        String readLine(String prompt);

        /** Shows the prompt and reads a line without echoing it; null at end of input. */
        char[] readPassword(String prompt);
    }

    /** This process's environment, home, standard input and terminal (if standard input is one). */
    public static CliEnv system() {
        Console console = System.console();
        Terminal terminal = console == null || !isTerminal(console) ? null : new Terminal() {
            @Override
            public String readLine(String prompt) {
                return console.readLine("%s", prompt);
            }

            @Override
            public char[] readPassword(String prompt) {
                return console.readPassword("%s", prompt);
            }
        };
        return new CliEnv(System::getenv, Path.of(System.getProperty("user.home")), System.in, terminal);
    }

    /** The variable's value, or null when it is unset or blank. */
    public String variable(String name) {
        String v = variables.apply(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Where the login is saved: {@code $DESKMESH_CONFIG/credentials.json}, else {@code ~/.config/deskmesh/credentials.json}. */
    public Path credentialsFile() {
        String dir = variable(CONFIG);
        return (dir != null ? Path.of(dir) : home.resolve(".config").resolve("deskmesh")).resolve("credentials.json");
    }

    /** All of standard input as UTF-8, without one trailing line break (what {@code echo pw |} adds). */
    public String readStdin() throws IOException {
        String s = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /**
     * Whether the console is a real terminal. Since Java 22 {@code System.console()} also answers when
     * the streams are redirected, and {@code Console.isTerminal()} tells which; on 21 a non-null console
     * already means a terminal. Called reflectively because the build targets 21.
     */
    private static boolean isTerminal(Console console) {
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
