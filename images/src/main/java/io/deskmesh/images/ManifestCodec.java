package io.deskmesh.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads and writes {@code manifest.json}. Stateless and thread-safe. */
final class ManifestCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ManifestCodec() {
    }

    static byte[] write(ImageManifest m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("image", m.image());
        n.put("version", m.version());
        n.put("sizeBytes", m.sizeBytes());
        n.put("sha256", m.sha256());
        n.put("parentVersion", m.parentVersion());
        if (m.template() != null) {
            n.put("template", m.template());
        }
        n.put("importedAt", m.importedAt().toString());
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode manifest of " + m.ref(), e);
        }
    }

    /**
     * @param where the file, for messages
     * @throws IOException if the bytes are not a valid manifest
     */
    static ImageManifest read(byte[] bytes, String where) throws IOException {
        JsonNode n = MAPPER.readTree(bytes);
        if (n == null || !n.isObject()) {
            throw new IOException("manifest " + where + " is not a JSON object");
        }
        try {
            return new ImageManifest(text(n, "image", where), (int) number(n, "version", where),
                    number(n, "sizeBytes", where), text(n, "sha256", where),
                    n.has("parentVersion") ? (int) number(n, "parentVersion", where) : 0,
                    n.hasNonNull("template") ? n.get("template").asText() : null,
                    Instant.parse(text(n, "importedAt", where)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IOException("manifest " + where + " is invalid: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field, String where) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("manifest " + where + " has no text field '" + field + "'");
        }
        return v.asText();
    }

    private static long number(JsonNode n, String field, String where) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new IOException("manifest " + where + " has no integer field '" + field + "'");
        }
        return v.asLong();
    }
}
