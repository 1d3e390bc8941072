package io.deskmesh.images;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed HTTP {@code Range} header for one resource of a known size: the whole resource, one
 * satisfiable range, or a refusal with the reason. Immutable.
 *
 * <p>Accepted: {@code bytes=N-}, {@code bytes=N-M} (M is clamped to the last byte) and the suffix
 * form {@code bytes=-N}. Several ranges, other units, malformed and unsatisfiable specs are
 * refused (416) rather than ignored: the only client is our own fetcher, and a silent fallback to
 * the whole file would hide its bugs.
 *
 * @param start  first byte, inclusive (0 when whole)
 * @param end    last byte, inclusive (size - 1 when whole)
 * @param whole  no Range header was given
 * @param refusal why the range cannot be served, or {@code null} if it can
 */
record ByteRange(long start, long end, boolean whole, String refusal) {
    private static final Pattern SPEC = Pattern.compile("\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    long length() {
        return end - start + 1;
    }

    static ByteRange parse(String header, long size) {
        if (header == null || header.isBlank()) {
            return new ByteRange(0, size - 1, true, null);
        }
        String h = header.strip();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
            return refuse("unsupported range " + ImageNames.quote(h) + ": only 'bytes=' ranges are served");
        }
        String spec = h.substring(eq + 1);
        if (spec.indexOf(',') >= 0) {
            return refuse("multiple ranges " + ImageNames.quote(h)
                    + " are not supported; request one range such as 'bytes=N-'");
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())
                || m.group(1).length() > 18 || m.group(2).length() > 18) {
            return refuse("malformed range " + ImageNames.quote(h) + "; use 'bytes=N-' or 'bytes=N-M'");
        }
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0 || size == 0) {
                return refuse("range " + ImageNames.quote(h) + " selects no bytes of a " + size + "-byte image");
            }
            return new ByteRange(Math.max(0, size - suffix), size - 1, false, null);
        }
        long start = Long.parseLong(m.group(1));
        if (start >= size) {
            return refuse("range " + ImageNames.quote(h) + " starts at byte " + start + " but the image has only "
                    + size + " bytes");
        }
        long end = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
        if (end < start) {
            return refuse("range " + ImageNames.quote(h) + " ends before it starts");
        }
        return new ByteRange(start, Math.min(end, size - 1), false, null);
    }

    private static ByteRange refuse(String why) {
        return new ByteRange(0, -1, false, why);
    }
}
