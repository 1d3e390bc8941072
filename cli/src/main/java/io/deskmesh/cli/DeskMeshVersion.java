package io.deskmesh.cli;

import java.util.List;
import picocli.CommandLine.IVersionProvider;

/**
 * The DeskMesh version, read from the jar manifest's {@code Implementation-Version}; {@code dev}
 * when running from classes outside a jar (IDE, tests).
 */
public final class DeskMeshVersion implements IVersionProvider {

    static final String DEV = "dev";

    /** The bare version string, e.g. {@code 0.1.0-SNAPSHOT} or {@code dev}. */
    public static String version() {
        String v = DeskMeshCli.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? DEV : v;
    }

    /** What {@code deskmesh --version} and {@code deskmesh version} print, one element a line. */
    public static List<String> lines() {
        return List.of(
                "deskmesh " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor")
                        + ") on " + System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?"));
    }

    @Override
    public String[] getVersion() {
        return lines().toArray(String[]::new);
    }
}
