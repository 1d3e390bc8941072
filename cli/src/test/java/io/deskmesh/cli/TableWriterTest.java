package io.deskmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TableWriterTest {

    private static String printed(Consumer<PrintWriter> print) {
        StringWriter s = new StringWriter();
        try (PrintWriter out = new PrintWriter(s)) {
            print.accept(out);
        }
        return s.toString().replace("\r\n", "\n");
    }

    @Test
    void alignsColumnsRightAlignsNumbersAndLeavesNoTrailingBlanks() {
        TableWriter t = new TableWriter().column("NAME").number("CPUS").column("NOTE")
                .row("office", 2, "x")
                .row("a", 128, "");

        assertThat(printed(t::print)).isEqualTo("""
                NAME    CPUS  NOTE
                office     2  x
                a        128  -
                """);
    }

    @Test
    void cutsLongCellsAndFlattensLineBreaks() {
        TableWriter t = new TableWriter().column("A", 8).column("B")
                .row("abcdefghijkl", "one\ntwo\tthree");

        assertThat(printed(t::print)).isEqualTo("""
                A         B
                abcde...  one two three
                """);
    }

    @Test
    void nullCellsPrintAsADash() {
        TableWriter t = new TableWriter().column("A").column("B").row(null, "b");

        assertThat(printed(t::print)).isEqualTo("A  B\n-  b\n");
    }

    @Test
    void anEmptyTablePrintsTheGivenText() {
        TableWriter t = new TableWriter().column("A");

        assertThat(printed(out -> t.print(out, "no rows"))).isEqualTo("no rows\n");
    }

    @Test
    void rowsWithoutHeaderForKeyValueBlocks() {
        TableWriter t = new TableWriter().column("", 10).column("").row("session", "s-1").row("vm", "vm-7");

        assertThat(printed(t::printRows)).isEqualTo("session  s-1\nvm       vm-7\n");
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsABug() {
        assertThatThrownBy(() -> new TableWriter().column("A").row("a", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row has 2 cells for 1 columns");
    }
}
