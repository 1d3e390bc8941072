package io.deskmesh.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code --node} option of every command that talks to a node (a picocli mixin), and how such a
 * command finds its node and token: {@code --node}, else {@code $DESKMESH_NODE}, else the node saved at
 * login, else {@value #DEFAULT_NODE} (the demo's first node); {@code $DESKMESH_TOKEN}, else the token
 * saved at login, else none. Not thread-safe.
 */
public final class ApiOptions {
    static final String DEFAULT_NODE = "http://127.0.0.1:8080";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--node", paramLabel = "URL",
            description = "A node's HTTP address (default: $DESKMESH_NODE, else the node you logged in to, else "
                    + DEFAULT_NODE + ").")
    String node;

    private Optional<Credentials> saved;

    /** The process's surroundings, held by the root command. */
    CliEnv env() {
        return ((DeskMeshCli) mixee.root().userObject()).env();
    }

    /**
     * The saved login, read once; warns when others can read it. An unreadable file is warned about and
     * treated as no login, so that {@code deskmesh login} can replace it.
     */
    Optional<Credentials> saved() {
        if (saved == null) {
            Path file = env().credentialsFile();
            try {
                saved = Credentials.load(file);
            } catch (CliFailure e) {
                mixee.commandLine().getErr().println("warning: " + e.getMessage());
                saved = Optional.empty();
            }
            if (saved.isPresent() && Credentials.exposed(file)) {
                mixee.commandLine().getErr().println("warning: " + file + " holds your API token and others can read it;"
                        + " run: chmod 600 " + file);
            }
        }
        return saved;
    }

    /** The node to talk to (see the class comment for the order). */
    URI node() {
        if (node != null) {
            return parse("--node", node);
        }
        String fromEnv = env().variable(CliEnv.NODE);
        if (fromEnv != null) {
            return parse("$" + CliEnv.NODE, fromEnv);
        }
        return parse("the node saved in " + env().credentialsFile(),
                saved().map(Credentials::node).orElse(DEFAULT_NODE));
    }

    /** The API token, or null when there is none (the node will then answer 401 where one is needed). */
    String token() {
        String fromEnv = env().variable(CliEnv.TOKEN);
        return fromEnv != null ? fromEnv : saved().map(Credentials::token).orElse(null);
    }

    /** A client for the node, with the token. */
    ApiClient client() {
        return new ApiClient(node(), token());
    }

    /** Accepts {@code http(s)://host[:port]} and a bare {@code host:port}; nothing with a path or query. */
    private URI parse(String source, String value) {
        String v = value.strip();
        String full = v.contains("://") ? v : "http://" + v;
        try {
            URI uri = new URI(full);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw invalid(source, value, "use http:// or https://");
            }
            if (uri.getHost() == null) {
                throw invalid(source, value, "give a host, e.g. http://127.0.0.1:8080");
            }
            if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw invalid(source, value, "give only scheme, host and port, e.g. http://127.0.0.1:8080");
            }
            return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw invalid(source, value, e.getReason());
        }
    }

    private ParameterException invalid(String source, String value, String why) {
        return new ParameterException(mixee.commandLine(), source + " '" + value + "' is not a node address: " + why);
    }
}
