package dev.mistralgateway.docs;

import java.util.Locale;

/**
 * Where the alerts' {@code runbook_url}s point: absolute, so that Alertmanager, Grafana and a pager can open them. The
 * rules stay plain YAML (promtool and the Prometheus Operator read them as they are), so the base is written in full
 * in each file; this constant is what the tests hold them to, and the one value a fork changes with them
 * (src/docs/operations.md, "Runbook links").
 */
public final class RunbookLinks {

    /** The runbook's address: src/docs/operations.md on the repository's main branch. */
    public static final String BASE = "https://github.com/mistral-gateway/mistral-gateway/blob/main/src/docs/operations.md";

    private RunbookLinks() {
    }

    /** The runbook_url of an alert: the base and the GitHub anchor of the alert's heading in the runbook. */
    public static String of(String alert) {
        return BASE + "#" + alert.toLowerCase(Locale.ROOT);
    }
}
