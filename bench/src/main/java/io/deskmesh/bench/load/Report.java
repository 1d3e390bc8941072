package io.deskmesh.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a run's results go: progress lines to stderr, markdown results to stdout and to
 * {@code report.md} in the run directory. Thread-safe (synchronized).
 */
final class Report {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final Path file;
    private final long startedAt = System.nanoTime();

    Report(Path runDir) {
        this.file = runDir.resolve("report.md");
    }

    /** A progress line, with the time since the run started. */
    synchronized void say(String line) {
        System.err.printf("[gridload %s +%.1fs] %s%n", LocalTime.now().format(CLOCK), (System.nanoTime() - startedAt) / 1e9, line);
        System.err.flush();
    }

    /** Markdown for the results: printed and kept in report.md. */
    synchronized void out(String markdown) {
        String text = markdown.endsWith("\n") ? markdown : markdown + "\n";
        System.out.print(text + "\n");
        System.out.flush();
        try {
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            say("cannot write " + file + ": " + e.getMessage());
        }
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startedAt) / 1e9;
    }
}
