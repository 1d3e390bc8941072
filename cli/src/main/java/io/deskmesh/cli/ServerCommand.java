package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code deskmesh server ...}: server membership. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Manages the grid's servers.",
        subcommands = {ServerCommand.Remove.class})
public final class ServerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: remove");
    }

    /** {@code deskmesh server remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Takes a server out of the grid for good: ends its sessions, forgets its VMs and images,"
                    + " and removes it from the Raft group. Stop that node afterwards.")
    public static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The server to remove.")
        String name;

        @Option(names = "--node", required = true, description = "Any member's HTTP address, e.g. http://127.0.0.1:8080.")
        String node;

        @Option(names = "--token", required = true, description = "The grid's join token.")
        String token;

        @Override
        public Integer call() throws Exception {
            URI base;
            try {
                base = URI.create(node.startsWith("http") ? node : "http://" + node);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--node '" + node + "' is not an address: " + e.getMessage());
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/internal/v1/servers/" + name + "/remove"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("cannot reach " + base + ": " + e.getMessage());
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (response.statusCode() == 200) {
                out.println("removed server " + name);
                return 0;
            }
            String message = response.body();
            try {
                JsonNode err = new ObjectMapper().readTree(message).path("error");
                message = err.path("message").asText(message);
            } catch (Exception ignored) {
                // not JSON: print it as it came
            }
            spec.commandLine().getErr().println("could not remove server " + name + ": " + message);
            return 1;
        }
    }
}
