package io.deskmesh.bench.load;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes Argon2id password hashes exactly as a node does, with the node's own
 * {@code io.deskmesh.node.auth.PasswordHasher}, so users created through the internal commands
 * endpoint (which takes the hash, not the password) log in like any other. {@code bench} does not
 * depend on {@code node}: the class is loaded from the node jar that the harness starts the nodes
 * from ({@code lib/} beside the CLI jar). Thread-safe.
 */
final class PasswordHashes {
    private static final String HASHER = "io.deskmesh.node.auth.PasswordHasher";

    private PasswordHashes() {
    }

    /** The PHC string for {@code password} with the node's default (production) parameters. */
    static String hash(String password, Path cliJar) {
        try {
            Class<?> type = load(cliJar);
            Object hasher = type.getConstructor().newInstance();
            Method hash = type.getMethod("hash", String.class);
            return (String) hash.invoke(hasher, password);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hash a password with " + HASHER + " from " + cliJar.getParent().resolve("lib")
                    + ": " + e + "; rebuild the node with 'mvn -q -o -pl cli -am install -DskipTests'", e);
        }
    }

    private static Class<?> load(Path cliJar) throws ClassNotFoundException {
        try {
            return Class.forName(HASHER);
        } catch (ClassNotFoundException notOnClassPath) {
            List<URL> jars = new ArrayList<>();
            try (Stream<Path> lib = Files.list(cliJar.getParent().resolve("lib"))) {
                for (Path p : lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(p.toUri().toURL());
                }
            } catch (IOException e) {
                throw new ClassNotFoundException(HASHER + ": cannot list " + cliJar.getParent().resolve("lib") + ": " + e, e);
            }
            // Never closed: the class stays usable for the run; it is one small loader.
            URLClassLoader loader = new URLClassLoader(jars.toArray(URL[]::new), PasswordHashes.class.getClassLoader());
            return Class.forName(HASHER, true, loader);
        }
    }
}
