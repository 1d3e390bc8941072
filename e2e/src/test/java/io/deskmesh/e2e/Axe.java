package io.deskmesh.e2e;

import com.microsoft.playwright.Page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The axe-core accessibility checker, from the local copy npm installed (e2e/node_modules), run in a
 * page through the DevTools protocol (so the page's strict CSP stays on). Stateless.
 */
final class Axe {
    private static final Path SOURCE = Path.of(System.getProperty("deskmesh.axe", "node_modules/axe-core/axe.min.js"));

    private Axe() {
    }

    /** The serious and critical violations on the page as it is now, one line each (rule, impact, where). */
    @SuppressWarnings("unchecked")
    static List<String> seriousViolations(Page page) {
        String source;
        try {
            source = Files.readString(SOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("axe-core is missing at " + SOURCE.toAbsolutePath()
                    + "; the e2e build installs it with 'npm ci' (install npm: apt-get install -y npm)", e);
        }
        page.evaluate(source);
        List<Map<String, Object>> violations = (List<Map<String, Object>>) page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                        + ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                        + " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))");
        List<String> out = new ArrayList<>();
        for (Map<String, Object> v : violations) {
            String impact = String.valueOf(v.get("impact"));
            if (impact.equals("serious") || impact.equals("critical")) {
                out.add(v.get("id") + " (" + impact + "): " + v.get("help") + " at " + v.get("nodes"));
            }
        }
        return out;
    }
}
