package io.deskmesh.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads passwords the safe ways only: from the terminal without echo, or from standard input for
 * scripts ({@code --password-stdin}); never from an option value, which would land in the shell's
 * history and in {@code ps}. Stateless.
 */
final class Passwords {
    private Passwords() {
    }

    /**
     * A password from standard input ({@code fromStdin}) or the terminal.
     *
     * @param prompt  what the terminal shows, e.g. {@code "password for bob: "}
     * @param confirm whether the terminal asks twice (when setting a password)
     * @throws ParameterException when there is no password to read, it is empty, or the two differ
     */
    static String read(CommandSpec spec, CliEnv env, boolean fromStdin, String prompt, boolean confirm) {
        String password;
        if (fromStdin) {
            try {
                password = env.readStdin();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the password from standard input", e);
            }
            if (password.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--password-stdin: standard input held no password");
            }
            return password;
        }
        CliEnv.Terminal terminal = env.terminal();
        if (terminal == null) {
            throw new ParameterException(spec.commandLine(),
                    "no terminal to ask for the password on; pipe it in with --password-stdin");
        }
        char[] first = terminal.readPassword(prompt);
        if (first == null || first.length == 0) {
            throw new ParameterException(spec.commandLine(), "no password given");
        }
        try {
            if (confirm) {
                char[] again = terminal.readPassword("again: ");
                try {
                    if (!Arrays.equals(first, again)) {
                        throw new ParameterException(spec.commandLine(), "the two passwords differ; nothing was changed");
                    }
                } finally {
                    if (again != null) {
                        Arrays.fill(again, '\0');
                    }
                }
            }
            return new String(first);
        } finally {
            Arrays.fill(first, '\0');
        }
    }
}
