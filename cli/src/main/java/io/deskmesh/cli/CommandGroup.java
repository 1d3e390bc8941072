package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A command that only groups subcommands ({@code deskmesh template ...}): run alone, it is invalid
 * input and prints its usage (exit 2). Also home to the small renderers the groups share.
 */
@Command(synopsisSubcommandLabel = "COMMAND")
abstract class CommandGroup implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Prints one object as aligned {@code field: value} lines, every field the API sent, in its order,
     * nested objects flattened to dotted names ({@code vms.total}); the {@code show} commands' table form.
     */
    static void printFields(PrintWriter out, JsonNode object) {
        Map<String, String> fields = new LinkedHashMap<>();
        flatten("", object, fields);
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((k, v) -> out.println(k + ":" + " ".repeat(width - k.length() + 1) + v));
    }

    private static void flatten(String prefix, JsonNode object, Map<String, String> into) {
        object.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isObject() && !v.isEmpty()) {
                flatten(prefix + e.getKey() + ".", v, into);
            } else {
                String text = v.isNull() ? "" : Json.render(v);
                into.put(prefix + e.getKey(), text.isEmpty() ? Json.NONE : text);
            }
        });
    }
}
