package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.images.DiskFormat;
import io.deskmesh.images.ImageProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code deskmesh image list|import}: base images, where their copies are, and bringing a disk in. */
@Command(name = "image", description = "Shows the base images and their copies, and imports new versions.",
        subcommands = {ImageCommand.ListAll.class, ImageCommand.Import.class})
public final class ImageCommand extends CommandGroup {
    static final String PATH = "/api/v1/images";
    /** Time allowed per byte of an upload, on top of {@link ApiClient#REQUEST_TIMEOUT}: 1 MB/s at the slowest. */
    static final long UPLOAD_BYTES_PER_SECOND = 1_000_000;

    @Command(name = "list", description = "Lists the base image versions, their size and which servers hold a copy.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> table(Json.items(answer, "images")).print(out(), "no base images"));
        }
    }

    @Command(name = "import", description = {"Streams a qcow2 (or raw) disk to the node as a new version of a"
            + " template's base image, and moves the template to it.",
            "The node checks size, sha256 and format, registers the version, and the grid copies it to other servers"
            + " (as a difference against the previous version where that is held). Running sessions keep their"
            + " version; free VMs are rebuilt on the new one."})
    static final class Import extends ApiCommand.Read {
        @Parameters(paramLabel = "FILE", description = "The disk: qcow2 without a backing file, or raw with --format raw.")
        Path file;

        @Option(names = "--template", required = true, paramLabel = "TEMPLATE", converter = Inputs.Name.class,
                description = "The template the version is for.")
        String template;

        @Option(names = "--version", paramLabel = "N", description = "The version number (default: the newest + 1).")
        Integer version;

        @Option(names = "--image", paramLabel = "NAME", converter = Inputs.Name.class,
                description = "The base image (default: the template's; must be the template's).")
        String image;

        @Option(names = "--format", paramLabel = "FORMAT", description = "qcow2 or raw (default: qcow2, checked from"
                + " the file's first bytes).")
        String format;

        private DiskFormat diskFormat;

        @Override
        void validate() {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw invalid("'" + file + "' is not a readable file; give the path of the disk to import");
            }
            if (version != null && version < 1) {
                throw invalid("--version must be 1 or more, was " + version);
            }
            try {
                diskFormat = DiskFormat.parse(format);
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(4);
            } catch (IOException e) {
                throw invalid("cannot read '" + file + "': " + e.getMessage());
            }
            if (head.length == 0) {
                throw invalid("'" + file + "' is empty; give the path of the disk to import");
            }
            if (diskFormat == DiskFormat.QCOW2 && !DiskFormat.hasQcow2Magic(head)) {
                throw invalid("'" + file + "' is not a qcow2 disk; for a raw disk add --format raw, convert others with"
                        + " 'qemu-img convert -O qcow2 " + file + " OUT.qcow2'");
            }
        }

        @Override
        void run(ApiClient client) throws Exception {
            String name = image != null ? image
                    : client.get(TemplateCommand.PATH + "/" + ApiClient.segment(template)).path("baseImage").asText();
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("template", template);
            if (version != null) {
                query.put("version", version);
            }
            query.put("format", diskFormat.lowerName());
            long size = Files.size(file);
            String sha = sha256(file);
            Duration timeout = ApiClient.REQUEST_TIMEOUT.plusSeconds(size / UPLOAD_BYTES_PER_SECOND);
            JsonNode answer = client.upload(PATH + "/" + ApiClient.segment(name) + "/versions" + ApiClient.query(query),
                    file, Map.of("Content-Type", "application/octet-stream", ImageProtocol.SHA256_HEADER, sha), timeout);
            print(answer, () -> out().println("imported " + Json.text(answer, "image") + "@" + Json.text(answer, "version")
                    + " for template '" + Json.text(answer, "template") + "': " + size(answer.path("sizeBytes"))
                    + ", sha256 " + Json.text(answer, "sha256") + (answer.path("parentVersion").asInt() > 0
                    ? ", parent version " + answer.path("parentVersion").asInt() : "")
                    + (answer.path("templateMoved").asBoolean() ? "; the template now uses it" : "")
                    + "; 'deskmesh image list' shows its copies"));
        }

        private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) != -1; ) {
                    d.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
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
