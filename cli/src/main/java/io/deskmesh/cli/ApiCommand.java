package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that talks to a node's REST API: it has {@code --node} and {@code --help}, checks its input
 * in {@link #validate} before anything is sent, and its {@link #run} gets a client with the node and
 * token already resolved. Failures are thrown ({@link CliFailure} for the user,
 * {@link ParameterException} for bad input) and printed by {@link DeskMeshCli}'s handler. Subclasses
 * are picocli commands; not thread-safe.
 */
abstract class ApiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Mixin
    ApiOptions api;

    @Override
    public final Integer call() throws Exception {
        validate();
        run(client());
        out().flush();
        return 0;
    }

    /** The client {@link #run} gets: the resolved node, with the token. */
    ApiClient client() {
        return api.client();
    }

    /** Checks the input before anything is sent; throws {@link ParameterException} naming the bad value. */
    void validate() {
    }

    /** Does the command's work against the node. */
    abstract void run(ApiClient client) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    CliEnv env() {
        return api.env();
    }

    ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A command that prints data: it has {@code --output}, and prints either the API's JSON or a table.
     */
    abstract static class Read extends ApiCommand {
        @Mixin
        OutputOptions output;

        /** Prints {@code answer} pretty-printed with {@code --output json}, else runs {@code table}. */
        void print(JsonNode answer, Runnable table) {
            if (output.json()) {
                out().println(Json.pretty(answer));
            } else {
                table.run();
            }
        }
    }
}
