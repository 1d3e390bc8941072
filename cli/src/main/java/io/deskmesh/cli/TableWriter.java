package io.deskmesh.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row and aligned columns separated by two spaces, numbers right-aligned,
 * cells longer than the column's limit cut with "...", line breaks and tabs in cells flattened to
 * spaces, no trailing blanks. Not thread-safe.
 *
 * <pre>{@code
 * new TableWriter().column("NAME").number("CPUS").row("office", 2).print(out);
 * }</pre>
 */
final class TableWriter {
    /** The widest a cell may be unless a column says otherwise. */
    static final int DEFAULT_MAX = 40;
    private static final String GAP = "  ";
    private static final String CUT = "...";

    private record Column(String header, boolean right, int max) {
    }

    private final List<Column> columns = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();

    /** A left-aligned column cut at {@link #DEFAULT_MAX}. */
    TableWriter column(String header) {
        return column(header, DEFAULT_MAX);
    }

    /** A left-aligned column cut at {@code max} characters. */
    TableWriter column(String header, int max) {
        columns.add(new Column(header, false, Math.max(max, CUT.length() + 1)));
        return this;
    }

    /** A right-aligned column, for numbers. */
    TableWriter number(String header) {
        columns.add(new Column(header, true, DEFAULT_MAX));
        return this;
    }

    /** One row, a cell per column; {@code null} cells print as {@link Json#NONE}. */
    TableWriter row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells for " + columns.size() + " columns");
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cell(cells[i], columns.get(i).max());
        }
        rows.add(row);
        return this;
    }

    /** Prints the header and the rows; with no rows, {@code empty} instead (e.g. "no templates"). */
    void print(PrintWriter out, String empty) {
        if (rows.isEmpty()) {
            out.println(empty);
            return;
        }
        print(out);
    }

    /** Prints the header and the rows. */
    void print(PrintWriter out) {
        print(out, true);
    }

    /** Prints the rows only: for key/value blocks, whose headers would say nothing. */
    void printRows(PrintWriter out) {
        print(out, false);
    }

    private void print(PrintWriter out, boolean withHeader) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = withHeader ? columns.get(i).header().length() : 0;
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        String[] header = columns.stream().map(Column::header).toArray(String[]::new);
        if (withHeader) {
            out.println(line(header, widths));
        }
        for (String[] row : rows) {
            out.println(line(row, widths));
        }
    }

    private String line(String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append(GAP);
            }
            String pad = " ".repeat(widths[i] - cells[i].length());
            b.append(columns.get(i).right() ? pad + cells[i] : cells[i] + pad);
        }
        return b.toString().stripTrailing();
    }

    private static String cell(Object value, int max) {
        String s = value == null ? Json.NONE : value.toString().replaceAll("[\\r\\n\\t]+", " ");
        if (s.isEmpty()) {
            s = Json.NONE;
        }
        return s.length() <= max ? s : s.substring(0, max - CUT.length()) + CUT;
    }
}
