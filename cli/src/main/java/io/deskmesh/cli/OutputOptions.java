package io.deskmesh.cli;

import picocli.CommandLine.Option;

/** The {@code --output} option of the commands that print data (a picocli mixin). */
public final class OutputOptions {
    /** How answers are printed. */
    public enum Format {
        /** Aligned columns for people. */
        TABLE,
        /** The API's JSON, pretty-printed, for scripts. */
        JSON
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", converter = Inputs.Format.class,
            description = "table (default) or json (the API's answer, pretty-printed: stable for scripts).")
    Format format = Format.TABLE;

    boolean json() {
        return format == Format.JSON;
    }
}
