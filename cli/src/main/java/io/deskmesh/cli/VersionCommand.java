package io.deskmesh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deskmesh version}: the same output as {@code deskmesh --version}. */
@Command(name = "version", description = "Print the DeskMesh version and the Java runtime it runs on.")
public final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DeskMeshVersion.lines().forEach(out::println);
        out.flush();
        return 0;
    }
}
