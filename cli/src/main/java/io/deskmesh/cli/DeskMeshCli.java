package io.deskmesh.cli;

import java.io.PrintWriter;

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
 * error and the usage are printed on stderr. A {@link CliFailure} (the node refused, cannot be reached,
 * ...) prints only its message on stderr and exits with 1.
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
            LoginCommand.class,
            LogoutCommand.class,
            StatusCommand.class,
            DesktopCommand.class,
            TemplateCommand.class,
            UserCommand.class,
            GroupCommand.class,
            GrantCommand.class,
            ServerCommand.class,
            SessionCommand.class,
            ImageCommand.class,
            VmCommand.class,
            EventsCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class DeskMeshCli implements Runnable {

    @Spec
    CommandSpec spec;

    private final CliEnv env;

    DeskMeshCli(CliEnv env) {
        this.env = env;
    }

    /** The surroundings the commands read (environment, home, stdin, terminal). */
    CliEnv env() {
        return env;
    }

    /** Called when no subcommand was given: that is invalid input (exit code 2, usage on stderr). */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** A fresh, fully configured command line; tests run it in-process with their own writers. */
    public static CommandLine newCommandLine() {
        return newCommandLine(CliEnv.system());
    }

    /** A fresh command line reading its environment, home, stdin and terminal from {@code env}. */
    public static CommandLine newCommandLine(CliEnv env) {
        return new CommandLine(new DeskMeshCli(env)).setUsageHelpAutoWidth(true)
                .setExecutionExceptionHandler(DeskMeshCli::handle)
                .setParameterExceptionHandler(DeskMeshCli::invalidInput);
    }

    /**
     * Invalid input: the error, any "did you mean" suggestions, and always the command's usage (picocli's
     * default leaves the usage out when it has suggestions). Exit code 2.
     */
    private static int invalidInput(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText(e.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        cmd.usage(err, cmd.getColorScheme());
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Prints a {@link CliFailure}'s message alone (exit 1); anything else keeps picocli's stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof CliFailure) {
            cmd.getErr().println(e.getMessage());
            cmd.getErr().flush();
            return 1;
        }
        throw e;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }
}
