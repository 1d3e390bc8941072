package io.deskmesh.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records one phase of a run with Java Flight Recorder in every local node ({@code jcmd <pid> JFR.start}
 * when the phase starts, {@code JFR.stop} with a file when it ends), so the recording holds that phase
 * only: {@code <run>/<node>-<phase>.jfr}, to read with {@code jfr view hot-methods} or JDK Mission
 * Control. Does nothing for a grid the harness did not start or a phase not asked for. Not thread-safe.
 */
final class Profiler {
    private final LocalGrid grid;
    private final Path runDir;
    private final String phase;
    private final String settings;
    private final Report report;
    private final List<Path> files = new ArrayList<>();

    /**
     * @param phase    the phase to record (e.g. "b"), or empty for none
     * @param settings JFR settings: a predefined name ("profile") or a .jfc file, e.g. one with a 1 ms
     *                 method-sampling period for a phase that lasts only seconds
     */
    Profiler(LocalGrid grid, Path runDir, String phase, String settings, Report report) {
        this.grid = grid;
        this.runDir = runDir;
        this.phase = phase;
        this.settings = settings;
        this.report = report;
    }

    void start(String which) {
        if (active(which)) {
            for (NodeJvm n : grid.live()) {
                jcmd(n, "JFR.start", "name=gridload-" + which, "settings=" + settings);
            }
        }
    }

    void stop(String which) {
        if (active(which)) {
            for (NodeJvm n : grid.live()) {
                Path file = runDir.resolve(n.name() + "-" + which + ".jfr");
                jcmd(n, "JFR.stop", "name=gridload-" + which, "filename=" + file);
                files.add(file);
            }
            report.say("JFR recordings of phase " + which + ": " + files);
        }
    }

    private boolean active(String which) {
        return grid != null && phase.equals(which);
    }

    private void jcmd(NodeJvm n, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(n.pid())));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                report.say("jcmd " + String.join(" ", args) + " on " + n.name() + " failed: " + out.trim());
            }
        } catch (IOException e) {
            report.say("cannot run jcmd for " + n.name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
