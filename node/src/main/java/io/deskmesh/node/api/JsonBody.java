package io.deskmesh.node.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request's JSON object body, checked before anything reads it: the content type (415), the size
 * (413), the syntax, duplicate keys and fields the endpoint does not know (400, naming the field and
 * the closest known one, so a typo like {@code desiredVM} is never silently ignored). Its getters
 * refuse a wrong type with 400 naming the field and the type expected. A JSON {@code null} counts as
 * absent. Not thread-safe (one per request).
 */
public final class JsonBody {
    /** Bodies up to this size are read to the end before a 413, so the reply is not lost to a reset. */
    private static final long DRAIN_LIMIT = 16L << 20;

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /**
     * Reads the body as a JSON object whose fields are all in {@code writable}; a field in
     * {@code readOnly} is refused as read-only.
     */
    public static JsonBody read(Context ctx, int maxBytes, Set<String> writable, Set<String> readOnly) {
        return parse(ctx, bytes(ctx, maxBytes), writable, readOnly);
    }

    private static JsonBody parse(Context ctx, byte[] bytes, Set<String> writable, Set<String> readOnly) {
        if (bytes.length == 0) {
            throw ApiException.invalid("the body is empty; send a JSON object with " + list(writable));
        }
        requireJsonContentType(ctx);
        JsonNode root;
        try {
            root = STRICT.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw ApiException.invalid("the body could not be read: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw ApiException.invalid("the body must be a JSON object, was " + describe(root));
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (readOnly.contains(field)) {
                throw ApiException.invalid("field '" + field + "' is read-only; leave it out");
            }
            if (!writable.contains(field)) {
                String near = closest(field, writable);
                throw ApiException.invalid("field '" + field + "' is not known here"
                        + (near == null ? "" : "; did you mean '" + near + "'?")
                        + (writable.isEmpty() ? "; this endpoint takes no body" : "; known fields: " + list(writable)));
            }
        }
        return new JsonBody(object);
    }

    /** For endpoints that take no body: accepts none, or an empty JSON object. */
    public static void none(Context ctx, int maxBytes) {
        byte[] bytes = bytes(ctx, maxBytes);
        if (bytes.length > 0) {
            parse(ctx, bytes, Set.of(), Set.of());
        }
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public String requiredString(String field) {
        String v = string(field);
        if (v == null) {
            throw missing(field, "a string");
        }
        return v;
    }

    /** The string, or null when absent. */
    public String string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, "a string", v);
        }
        return v.textValue();
    }

    public int requiredInt(String field) {
        Integer v = integer(field);
        if (v == null) {
            throw missing(field, "a whole number");
        }
        return v;
    }

    /** The whole number, or null when absent. */
    public Integer integer(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw wrongType(field, "a whole number", v);
        }
        if (!v.canConvertToInt()) {
            throw ApiException.invalid("field '" + field + "' is " + v.asText() + ", too large for a whole number here");
        }
        return v.intValue();
    }

    public long requiredLong(String field) {
        Long v = longValue(field);
        if (v == null) {
            throw missing(field, "a whole number");
        }
        return v;
    }

    /** The whole number, or null when absent. */
    public Long longValue(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, "a whole number", v);
        }
        return v.longValue();
    }

    /** The array of strings, or null when absent. */
    public List<String> strings(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(field, "an array of strings", v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isTextual()) {
                throw ApiException.invalid("field '" + field + "' must be an array of strings; item " + i + " is "
                        + describe(item));
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** The raw value, or null when absent; for fields of more than one type. */
    public JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public static ApiException missing(String field, String type) {
        return ApiException.invalid("field '" + field + "' is missing; give " + type);
    }

    public static ApiException wrongType(String field, String expected, JsonNode actual) {
        return ApiException.invalid("field '" + field + "' must be " + expected + ", was " + describe(actual)
                + (actual.isValueNode() ? " (" + clip(actual.toString()) + ")" : ""));
    }

    /** What kind of JSON value a node is, for messages. */
    public static String describe(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isTextual()) {
            return "a string";
        }
        if (v.isIntegralNumber()) {
            return "a whole number";
        }
        if (v.isNumber()) {
            return "a decimal number";
        }
        if (v.isBoolean()) {
            return "true/false";
        }
        return v.isArray() ? "an array" : "an object";
    }

    private static byte[] bytes(Context ctx, int maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            if (declared <= DRAIN_LIMIT) {
                drain(ctx); // a client still sending when the connection closes may never see the 413
            }
            throw tooLarge(declared, maxBytes);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(-1, maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.invalid("the body could not be read: " + e.getMessage());
        }
    }

    /** Reads and drops what is left of the body, so the error reply reaches a client that is still sending. */
    private static void drain(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client gave up: there is no one left to answer
        }
    }

    private static ApiException tooLarge(long declared, int max) {
        return new ApiException(413, "TOO_LARGE", "the body" + (declared > 0 ? " (" + declared + " bytes)" : "")
                + " is larger than the " + max + " bytes this API accepts");
    }

    private static void requireJsonContentType(Context ctx) {
        String type = ctx.header("Content-Type");
        String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json")) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be JSON sent with 'Content-Type:"
                    + " application/json', was " + (type == null ? "no content type" : "'" + type + "'"));
        }
    }

    private static String list(Set<String> fields) {
        return fields.isEmpty() ? "no fields" : String.join(", ", fields.stream().sorted().toList());
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /**
     * The known field closest to a typo, when it is close: it starts with the typo (3 letters or more) or the
     * typo with it, or it is at most a third of its length (at least 2) of edits away.
     */
    static String closest(String field, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String f = field.toLowerCase(Locale.ROOT);
        for (String k : known) {
            String lk = k.toLowerCase(Locale.ROOT);
            int d = f.length() >= 3 && (lk.startsWith(f) || f.startsWith(lk)) ? 1 : distance(f, lk);
            if (d < bestDistance || (d == bestDistance && best != null && k.compareTo(best) < 0)) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
