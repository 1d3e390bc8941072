package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code deskmesh template ...}: what a desktop is made of, and how many of them the grid keeps. */
@Command(name = "template", description = "Manages templates: what a desktop is made of and how many the grid keeps.",
        subcommands = {TemplateCommand.ListAll.class, TemplateCommand.Show.class, TemplateCommand.Create.class,
                TemplateCommand.Update.class, TemplateCommand.Delete.class})
public final class TemplateCommand extends CommandGroup {
    static final String PATH = "/api/v1/templates";
    /** The contract's fields, in the order they are sent and shown. */
    static final List<String> FIELDS = List.of("name", "cpus", "memoryMb", "baseImage", "pool", "desiredVms",
            "spareVms", "minReplicas", "idleTimeoutSeconds", "disconnectTimeoutSeconds");

    @Command(name = "list", description = "Lists the templates.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("NAME").column("POOL").number("CPUS").number("MEMORY_MB")
                        .column("BASE_IMAGE").number("DESIRED").number("VMS").number("SPARE").number("MIN_REPLICAS")
                        .number("IDLE_S").number("DISCONNECT_S");
                for (JsonNode n : Json.items(answer, "templates")) {
                    JsonNode vms = n.path("vms");
                    t.row(Json.text(n, "name"), Json.text(n, "pool"), Json.text(n, "cpus"), Json.text(n, "memoryMb"),
                            Json.text(n, "baseImage"), desired(n), vms.isObject() ? Json.text(vms, "total") : Json.text(n, "vms"),
                            Json.text(n, "spareVms"),
                            Json.text(n, "minReplicas"), Json.text(n, "idleTimeoutSeconds"),
                            Json.text(n, "disconnectTimeoutSeconds"));
                }
                t.print(out(), "no templates; create one with: deskmesh template create NAME ...");
            });
        }
    }

    /** {@code 8}, or {@code auto (now 3)} with the size the planner chose when the API says it. */
    static String desired(JsonNode template) {
        String desired = Json.text(template, "desiredVms");
        String now = Json.text(template, "desiredNow");
        return desired.equals(now) || now.equals(Json.NONE) ? desired : desired + " (now " + now + ")";
    }

    @Command(name = "show", description = "Shows one template.")
    static final class Show extends ApiCommand.Read {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The template.")
        String name;

        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH + "/" + name);
            print(answer, () -> printFields(out(), answer));
        }
    }

    /** The template's settings as options; null when not given. Shared by create and update. */
    static final class SpecOptions {
        @Option(names = "--cpus", paramLabel = "N", description = "vCPUs per VM (1-256).")
        Integer cpus;

        @Option(names = "--memory-mb", paramLabel = "MIB", description = "Memory per VM in MiB (64-4194304).")
        Long memoryMb;

        @Option(names = "--base-image", paramLabel = "IMAGE", converter = Inputs.Name.class,
                description = "The base image the VMs are cloned from.")
        String baseImage;

        @Option(names = "--image-version", paramLabel = "N",
                description = "The base image version new VMs use (default: the newest on create, unchanged on update);"
                        + " changing it rolls the pool out (or back): free VMs are regenerated, sessions keep theirs.")
        Integer imageVersion;

        @Option(names = "--pool", paramLabel = "KIND", converter = Inputs.Pool.class,
                description = "persistent (each user keeps their own VM) or non-persistent (VMs are regenerated"
                        + " after log-off).")
        String pool;

        @Option(names = "--desired", paramLabel = "N|auto", converter = Inputs.Desired.class,
                description = "VMs to keep: a number, or auto (sized from entitled users and demand).")
        JsonNode desired;

        @Option(names = "--spare", paramLabel = "N", description = "Free VMs kept powered on for the next logins (0-10000).")
        Integer spare;

        @Option(names = "--min-replicas", paramLabel = "N", description = "The fewest servers holding the base image (1-64).")
        Integer minReplicas;

        @Option(names = "--idle-timeout", paramLabel = "SECONDS",
                description = "Log off a connected session idle this long (0 = never).")
        Integer idleTimeout;

        @Option(names = "--disconnect-timeout", paramLabel = "SECONDS",
                description = "Log off a disconnected session after this long (0 = never).")
        Integer disconnectTimeout;

        void check(CommandSpec spec) {
            Inputs.range(spec, "--cpus", cpus, 1, 256);
            Inputs.range(spec, "--image-version", imageVersion, 1, Integer.MAX_VALUE);
            Inputs.range(spec, "--memory-mb", memoryMb, 64, 4L * 1024 * 1024);
            Inputs.range(spec, "--spare", spare, 0, 10_000);
            Inputs.range(spec, "--min-replicas", minReplicas, 1, 64);
            Inputs.range(spec, "--idle-timeout", idleTimeout, 0, Inputs.MAX_TIMEOUT);
            Inputs.range(spec, "--disconnect-timeout", disconnectTimeout, 0, Inputs.MAX_TIMEOUT);
        }

        boolean any() {
            return cpus != null || memoryMb != null || baseImage != null || imageVersion != null || pool != null || desired != null
                    || spare != null || minReplicas != null || idleTimeout != null || disconnectTimeout != null;
        }

        /** Sets the given options on {@code body}, leaving the other fields as they are. */
        ObjectNode applyTo(ObjectNode body) {
            if (cpus != null) {
                body.put("cpus", cpus);
            }
            if (memoryMb != null) {
                body.put("memoryMb", memoryMb);
            }
            if (baseImage != null) {
                body.put("baseImage", baseImage);
            }
            if (imageVersion != null) {
                body.put("imageVersion", imageVersion);
            }
            if (pool != null) {
                body.put("pool", pool);
            }
            if (desired != null) {
                body.set("desiredVms", desired);
            }
            if (spare != null) {
                body.put("spareVms", spare);
            }
            if (minReplicas != null) {
                body.put("minReplicas", minReplicas);
            }
            if (idleTimeout != null) {
                body.put("idleTimeoutSeconds", idleTimeout);
            }
            if (disconnectTimeout != null) {
                body.put("disconnectTimeoutSeconds", disconnectTimeout);
            }
            return body;
        }
    }

    /** Refuses more spare VMs than a fixed desired count, as the grid would. */
    static void checkSpare(CommandSpec spec, JsonNode body) {
        JsonNode desired = body.path("desiredVms");
        JsonNode spare = body.path("spareVms");
        if (desired.isIntegralNumber() && spare.isIntegralNumber() && spare.asInt() > desired.asInt()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--spare (" + spare.asInt() + ") cannot exceed --desired (" + desired.asInt() + ")");
        }
    }

    @Command(name = "create", description = {"Creates a template.",
            "--cpus, --memory-mb, --base-image and --pool are required; the others default to --desired auto"
                    + " --spare 0 --min-replicas 2 --idle-timeout 0 --disconnect-timeout 0."})
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The new template's name.")
        String name;

        @Mixin
        SpecOptions options;

        private ObjectNode body;

        @Override
        void validate() {
            List<String> missing = new ArrayList<>();
            if (options.cpus == null) {
                missing.add("--cpus");
            }
            if (options.memoryMb == null) {
                missing.add("--memory-mb");
            }
            if (options.baseImage == null) {
                missing.add("--base-image");
            }
            if (options.pool == null) {
                missing.add("--pool");
            }
            if (!missing.isEmpty()) {
                throw invalid("Missing required option(s): " + String.join(", ", missing));
            }
            options.check(spec);
            body = Json.object().put("name", name).put("cpus", options.cpus).put("memoryMb", options.memoryMb)
                    .put("baseImage", options.baseImage).put("pool", options.pool);
            body.set("desiredVms", options.desired != null ? options.desired : TextNode.valueOf("auto"));
            body.put("spareVms", orElse(options.spare, 0)).put("minReplicas", orElse(options.minReplicas, 2))
                    .put("idleTimeoutSeconds", orElse(options.idleTimeout, 0))
                    .put("disconnectTimeoutSeconds", orElse(options.disconnectTimeout, 0));
            if (options.imageVersion != null) {
                body.put("imageVersion", options.imageVersion);
            }
            checkSpare(spec, body);
        }

        @Override
        void run(ApiClient client) {
            client.post(PATH, body);
            out().println("created template " + name);
        }
    }

    private static int orElse(Integer value, int otherwise) {
        return value != null ? value : otherwise;
    }

    @Command(name = "update", description = {"Changes a template.",
            "Only the options given change: the command reads the template, changes those fields and writes it back."})
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The template.")
        String name;

        @Mixin
        SpecOptions options;

        @Override
        void validate() {
            if (!options.any()) {
                throw invalid("nothing to change: give at least one of --cpus, --memory-mb, --base-image, --image-version, --pool,"
                        + " --desired, --spare, --min-replicas, --idle-timeout, --disconnect-timeout");
            }
            options.check(spec);
        }

        @Override
        void run(ApiClient client) {
            JsonNode current = client.get(PATH + "/" + name);
            // Send back only the contract's fields: the answer may carry read-only ones (counts, versions).
            ObjectNode body = Json.object();
            for (String f : FIELDS) {
                if (current.has(f)) {
                    body.set(f, current.get(f));
                }
            }
            options.applyTo(body);
            checkSpare(spec, body);
            client.put(PATH + "/" + name, body);
            out().println("updated template " + name);
        }
    }

    @Command(name = "delete", description = "Deletes a template, its grants and its VMs (refused while it has sessions).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The template.")
        String name;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + name);
            out().println("deleted template " + name);
        }
    }
}
