package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.StringJoiner;

/** {@code deskmesh image list}: base images and where their copies are. */
@Command(name = "image", description = "Shows the base images and their copies.", subcommands = ImageCommand.ListAll.class)
public final class ImageCommand extends CommandGroup {
    static final String PATH = "/api/v1/images";

    @Command(name = "list", description = "Lists the base image versions, their size and which servers hold a copy.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> table(Json.items(answer, "images")).print(out(), "no base images"));
        }
    }

    /** IMAGE, VERSION, SIZE, COPIES (landed) and SERVERS, a row per image version; shared with status. */
    static TableWriter table(List<JsonNode> images) {
        TableWriter t = new TableWriter().column("IMAGE").number("VERSION").number("SIZE").number("COPIES")
                .column("SERVERS", 60);
        for (JsonNode n : images) {
            JsonNode replicas = n.has("replicas") ? n.path("replicas") : n.path("copies");
            int landed = 0;
            StringJoiner where = new StringJoiner(", ");
            for (JsonNode r : replicas) {
                String state = r.path("state").asText("landed");
                if (state.equals("landed")) {
                    landed++;
                    where.add(r.path("server").asText());
                } else {
                    where.add(r.path("server").asText() + " (" + state + ")");
                }
            }
            t.row(Json.text(n, "image", "name"), Json.text(n, "version"), size(n.path("sizeBytes")), landed,
                    where.toString());
        }
        return t;
    }

    /** Bytes in binary units with one decimal: {@code 2.0 GiB}; {@link Json#NONE} when unknown. */
    static String size(JsonNode bytes) {
        if (!bytes.isNumber()) {
            return Json.NONE;
        }
        double v = bytes.asDouble();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? (long) v + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
