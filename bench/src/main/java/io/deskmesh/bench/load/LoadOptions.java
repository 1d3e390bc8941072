package io.deskmesh.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} options of one {@link GridLoad} subcommand, checked against the names and
 * defaults that subcommand declares, with errors that name the bad option and what to pass instead.
 * Immutable once parsed; not meant to be shared between threads while parsing.
 */
final class LoadOptions {
    private final String command;
    private final Map<String, String> defaults;
    private final Map<String, String> given = new LinkedHashMap<>();

    /**
     * @param defaults every option the subcommand knows, in the order usage prints them, with its default
     *                 value ({@code ""} for "none")
     */
    LoadOptions(String command, Map<String, String> defaults, String[] args) {
        this.command = command;
        this.defaults = defaults;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() < 3) {
                throw new IllegalArgumentException(command + ": '" + a + "' is not an option; options look like --name value");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!defaults.containsKey(name)) {
                throw new IllegalArgumentException(command + ": unknown option --" + name + "; known: " + names());
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(command + ": option --" + name + " needs a value");
                }
                value = args[++i];
            }
            given.put(name, value);
        }
    }

    String string(String name) {
        if (!defaults.containsKey(name)) {
            throw new IllegalStateException("option --" + name + " is not declared for " + command);
        }
        return given.getOrDefault(name, defaults.get(name));
    }

    boolean isSet(String name) {
        return !string(name).isEmpty();
    }

    int integer(String name, int min, int max) {
        String v = string(name);
        int n;
        try {
            n = Integer.parseInt(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " is '" + v + "', not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(command + ": --" + name + " is " + n + ", outside " + min + ".." + max);
        }
        return n;
    }

    Duration seconds(String name, int min, int max) {
        return Duration.ofSeconds(integer(name, min, max));
    }

    boolean flag(String name) {
        String v = string(name);
        if (!"true".equals(v) && !"false".equals(v)) {
            throw new IllegalArgumentException(command + ": --" + name + " is '" + v + "'; use true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** A comma-separated list; empty when the option is empty. */
    List<String> list(String name) {
        String v = string(name).trim();
        return v.isEmpty() ? List.of() : new ArrayList<>(Arrays.stream(v.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList());
    }

    /** The options as given on the command line, for the report. */
    String commandLine() {
        StringBuilder b = new StringBuilder(command);
        given.forEach((k, v) -> b.append(" --").append(k).append(' ').append(k.contains("password") || k.equals("token")
                ? "***" : v));
        return b.toString();
    }

    String usage() {
        StringBuilder b = new StringBuilder();
        defaults.forEach((k, v) -> b.append("    --").append(k).append(' ').append(v.isEmpty() ? "(none)" : v).append('\n'));
        return b.toString();
    }

    private String names() {
        return String.join(", ", defaults.keySet().stream().map(n -> "--" + n).toList());
    }
}
