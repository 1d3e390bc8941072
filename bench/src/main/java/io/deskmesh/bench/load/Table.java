package io.deskmesh.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A markdown table, padded so it also reads well as plain text. Not thread-safe.
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, the table " + header.size());
        }
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    static String cell(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return "–";
            }
            double a = Math.abs(d);
            return String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : "%.2f", d);
        }
        if (v instanceof Long || v instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        return String.valueOf(v).replace("|", "\\|");
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = Math.max(3, header.get(i).length());
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, width);
        b.append('|');
        for (int w : width) {
            b.append(' ').append("-".repeat(w)).append(" |");
        }
        b.append('\n');
        rows.forEach(r -> line(b, r, width));
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] width) {
        b.append('|');
        for (int i = 0; i < width.length; i++) {
            b.append(' ').append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length())).append(" |");
        }
        b.append('\n');
    }
}
