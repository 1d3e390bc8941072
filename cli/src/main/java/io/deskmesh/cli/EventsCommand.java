package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code deskmesh events}: the audit trail. */
@Command(name = "events", description = {"Shows the audit trail.",
        "Who did what, when, from where, and whether it worked: admin changes, logins and failures, server state"
                + " changes."})
public final class EventsCommand extends ApiCommand.Read {
    static final String PATH = "/api/v1/events";

    @Option(names = "--since", paramLabel = "SEQ", description = "Only events after this sequence number (the SEQ column).")
    Long since;

    @Option(names = "--limit", paramLabel = "N", description = "At most this many events (1-10000).")
    Integer limit;

    @Override
    void validate() {
        Inputs.range(spec, "--since", since, 0, Long.MAX_VALUE);
        Inputs.range(spec, "--limit", limit, 1, 10_000);
    }

    @Override
    void run(ApiClient client) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (since != null) {
            params.put("since", since);
        }
        if (limit != null) {
            params.put("limit", limit);
        }
        JsonNode answer = client.get(PATH + ApiClient.query(params));
        print(answer, () -> {
            TableWriter t = new TableWriter().number("SEQ").column("TIME").column("ACTOR").column("ACTION")
                    .column("TARGET").column("FROM").column("RESULT").column("DETAIL", 60);
            for (JsonNode n : Json.items(answer, "events")) {
                JsonNode ok = n.path("ok");
                t.row(Json.text(n, "seq"), Json.time(n, "at", "time"), Json.text(n, "actor"), Json.text(n, "action"),
                        Json.text(n, "target"), Json.text(n, "from"),
                        ok.isBoolean() ? (ok.asBoolean() ? "ok" : "failed") : Json.NONE, Json.text(n, "detail"));
            }
            t.print(out(), "no events");
        });
    }
}
