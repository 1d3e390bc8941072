package io.deskmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code deskmesh} command line: a top-level command that only dispatches to subcommands.
 *
 * <p>Exit codes are picocli's: 0 on success, 1 when a command fails with an exception, 2 on
 * invalid input (unknown option or command, bad value, missing subcommand), in which case the
 * error and the usage are printed on stderr.
 */
@Command(
        name = "deskmesh",
        mixinStandardHelpOptions = true,
        versionProvider = DeskMeshVersion.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "DeskMesh: a shared-nothing virtual desktop broker.",
        footer = {"", "Run 'deskmesh COMMAND --help' (or 'deskmesh help COMMAND') for a command's options."},
        // ---- Subcommands -------------------------------------------------------------------
        // One class per subcommand, listed in the order `deskmesh --help` shows them. To add a
        // command (DemoCommand, ...), write the class in this package and add it to this list;
        // nothing else needs registering.
        subcommands = {
            DemoCommand.class,
            NodeCommand.class,
            ServerCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class DeskMeshCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** Called when no subcommand was given: that is invalid input (exit code 2, usage on stderr). */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** A fresh, fully configured command line; tests run it in-process with their own writers. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new DeskMeshCli()).setUsageHelpAutoWidth(true);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }
}
