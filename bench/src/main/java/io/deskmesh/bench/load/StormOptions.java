package io.deskmesh.bench.load;

import java.util.Map;

/**
 * The options of {@code GridLoad storm} and their defaults (see {@link StormRun}). Stateless.
 */
final class StormOptions {
    private StormOptions() {
    }

    static void add(Map<String, String> o) {
        o.put("users", "1000");
        o.put("pool", "1200");
        o.put("spare", "");                 // VMs kept powered on; default the whole pool (a pre-booted pool)
        o.put("vm-cpus", "1");
        o.put("vm-memory-mb", "256");
        o.put("concurrency", "64");
        o.put("connect-concurrency", "");   // default --concurrency
        o.put("storm-concurrency", "");     // clients of the background password storm in (c); default --concurrency
        o.put("storm-warmup-seconds", "3");
        o.put("connect-warmup", "300");     // users who connect and log off (unmeasured) before (b), to warm the JIT
        o.put("probe", "50");               // connects one at a time after the warm-up: latency on an idle grid
        o.put("users-via", "internal");     // internal (pre-hashed, bulk) or api (POST /api/v1/users)
        o.put("pool-timeout", "240");
        o.put("phase-timeout", "240");
        o.put("jfr-phase", "");             // a, b, c-alone or c-storm: JFR-record that phase in every local node
        o.put("jfr-settings", "profile");   // JFR settings for --jfr-phase: a name (profile, default) or a .jfc file
    }
}
