package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code deskmesh session ...}: live sessions, and ending them. */
@Command(name = "session", description = "Manages live sessions: list, disconnect, log off, open in a VNC viewer.",
        subcommands = {SessionCommand.ListAll.class, SessionCommand.Disconnect.class, SessionCommand.Logoff.class,
                SessionCommand.ConnectionFile.class})
public final class SessionCommand extends CommandGroup {
    static final String PATH = "/api/v1/sessions";

    @Command(name = "list", description = "Lists the live sessions (an admin sees all, a user their own).")
    static final class ListAll extends ApiCommand.Read {
        @Option(names = "--user", paramLabel = "USER", converter = Inputs.UserName.class, description = "Only this user's.")
        String user;

        @Option(names = "--template", paramLabel = "TEMPLATE", converter = Inputs.Name.class,
                description = "Only this template's.")
        String template;

        @Option(names = "--server", paramLabel = "SERVER", converter = Inputs.Name.class,
                description = "Only those on this server.")
        String server;

        @Override
        void run(ApiClient client) {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("user", user);
            filters.put("template", template);
            filters.put("server", server);
            filters.values().removeIf(v -> v == null);
            JsonNode answer = client.get(PATH + ApiClient.query(filters));
            // The contract does not promise these filters on /sessions, so apply them here too.
            List<JsonNode> kept = new ArrayList<>();
            for (JsonNode n : Json.items(answer, "sessions")) {
                if (filters.entrySet().stream().allMatch(f -> f.getValue().equals(n.path(f.getKey()).asText()))) {
                    kept.add(n);
                }
            }
            print(filters.isEmpty() ? answer : Json.withItems(answer, kept, "sessions"), () -> table(kept).print(out(),
                    "no sessions"));
        }

        static TableWriter table(List<JsonNode> sessions) {
            TableWriter t = new TableWriter().column("ID").column("USER").column("TEMPLATE").column("VM")
                    .column("SERVER").column("STATE").column("SINCE");
            for (JsonNode n : sessions) {
                t.row(Json.text(n, "id", "sessionId"), Json.text(n, "user"), Json.text(n, "template"),
                        Json.text(n, "vm", "vmId"), Json.text(n, "server"), Json.text(n, "state"),
                        Json.time(n, "since", "reservedAt"));
            }
            return t;
        }
    }

    @Command(name = "disconnect", description = "Disconnects a session: the VM stays the user's until the template's"
            + " disconnect timeout, and a new connect resumes it.")
    static final class Disconnect extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The session's id.")
        String id;

        @Override
        void run(ApiClient client) {
            client.post(PATH + "/" + ApiClient.segment(id) + "/disconnect", null);
            out().println("disconnected session " + id);
        }
    }

    @Command(name = "logoff", description = "Logs a session off: it ends, and a non-persistent VM is regenerated.")
    static final class Logoff extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The session's id.")
        String id;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + ApiClient.segment(id));
            out().println("logged off session " + id);
        }
    }

    @Command(name = "connection-file", description = {"Saves a connection file (.vv) that opens your session's desktop in"
            + " remote-viewer (virt-viewer) through the node you logged in to.",
            "It works once, within 2 minutes; other VNC viewers (TigerVNC) connect to the host::port it names with the"
            + " password in it."})
    static final class ConnectionFile extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The session's id (deskmesh session list).")
        String id;

        @Option(names = {"-f", "--file"}, paramLabel = "PATH",
                description = "Where to save it: a file, a directory (default: the current one, as deskmesh-TEMPLATE.vv),"
                        + " or - for standard output.")
        String file;

        @Override
        void validate() {
            if (file != null && file.isBlank()) {
                throw invalid("--file is empty: give a file, a directory, or - for standard output");
            }
        }

        @Override
        void run(ApiClient client) throws IOException {
            JsonNode answer = client.post(PATH + "/" + ApiClient.segment(id) + "/connection-file", null);
            if (!answer.path("file").isTextual() || !answer.path("fileName").isTextual()) {
                throw new CliFailure(client.base() + " answered without a connection file; does that node serve native"
                        + " consoles? (a DeskMesh node with --console-port)");
            }
            String text = answer.path("file").asText();
            if ("-".equals(file)) {
                out().print(text);
                return;
            }
            Path target = Path.of(file == null ? "." : file);
            if (Files.isDirectory(target)) {
                target = target.resolve(Path.of(answer.path("fileName").asText()).getFileName());
            }
            write(target, text);
            out().println("saved " + target + ": open it with remote-viewer before " + Json.text(answer, "expiresAt")
                    + " (it works once), or connect another VNC viewer to " + Json.text(answer, "host") + "::"
                    + Json.text(answer, "port") + " with the password in it");
        }

        /** Writes the file readable by its owner only where the file system allows: it holds a password. */
        private static void write(Path target, String text) throws IOException {
            try {
                Files.deleteIfExists(target);
                try {
                    Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(target);
                }
                Files.writeString(target, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliFailure("cannot save the connection file to " + target + ": " + e.getMessage()
                        + "; give another place with --file");
            }
        }
    }
}
