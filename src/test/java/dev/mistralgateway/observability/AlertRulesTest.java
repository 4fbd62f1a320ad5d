package dev.mistralgateway.observability;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.mistralgateway.docs.RunbookLinks;

/**
 * Keeps the operational files shipped with the gateway honest: the alert rules load and behave as their promtool
 * tests say, the PrometheusRule does not drift from them, and rules and dashboard query only exported metrics.
 */
class AlertRulesTest {

    private static final Path RULES = MetricNames.RULES;
    private static final Path RULE_TESTS = Path.of("src/test/prometheus/mistral-gateway-alerts.test.yml");
    private static final Path KUBERNETES = Path.of("src/main/kubernetes/kubernetes.yml");

    /** The metrics the gateway documents as exported at /q/metrics; histograms by their base name. */
    private static final Set<String> CONTRACT = Set.of(
            "mistral_requests_total",
            "mistral_errors_total",
            "mistral_upstream_latency_seconds",
            "mistral_upstream_time_to_first_token_seconds",
            "mistral_circuit_breaker_state",
            "mistral_circuit_breaker_transitions_total",
            "mistral_tokens_total",
            "mistral_spend_usd_total",
            "mistral_spend_unpriced_tokens_total",
            "mistral_health_status",
            "mistral_health_probe_latency_seconds",
            "mistral_ratelimit_remaining_requests",
            "mistral_ratelimit_remaining_tokens",
            "mistral_ratelimit_limit_requests",
            "mistral_ratelimit_limit_tokens",
            "mistral_streams_truncated_total",
            "mistral_budget_spend_usd",
            "mistral_budget_limit_usd",
            "mistral_budget_reserved_usd",
            "mistral_key_budget_spend_usd",
            "mistral_key_budget_limit_usd",
            "mistral_key_budget_remaining_usd");

    /** The seven alerts the gateway ships and the priority of each (src/docs/operations.md, "Alerts"). */
    private static final Map<String, String> PRIORITIES = Map.of(
            "MistralApiDown", "P1",
            "MistralHighLatency", "P2",
            "MistralRateLimited", "P2",
            "MistralAuthFailure", "P1",
            "MistralCircuitOpen", "P2",
            "MistralCostSpike", "P3",
            "MistralKeyBudgetExhaustion", "P2");

    private static final Map<String, String> SEVERITIES = Map.of("P1", "critical", "P2", "warning", "P3", "info");

    private static final long PROMTOOL_TIMEOUT_SECONDS = 30;

    private final YAMLMapper yaml = new YAMLMapper();

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        Result result = promtool("check", "rules", RULES.toString());
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void everyAlertFiresAndStaysSilentInPromtoolTests() throws Exception {
        Result result = promtool("test", "rules", RULE_TESTS.toString());
        assertEquals(0, result.exitCode(), result.output());

        JsonNode tests = yaml.readTree(RULE_TESTS.toFile());
        List<Path> ruleFiles = new ArrayList<>();
        // promtool resolves rule_files against the test file's directory.
        for (JsonNode file : tests.path("rule_files")) {
            ruleFiles.add(RULE_TESTS.getParent().resolve(file.asText()).normalize());
        }
        assertEquals(List.of(RULES), ruleFiles, "the promtool tests load the rules file itself");

        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode group : tests.path("tests")) {
            for (JsonNode test : group.path("alert_rule_test")) {
                (test.path("exp_alerts").isEmpty() ? silent : firing).add(test.path("alertname").asText());
            }
        }
        Set<String> tested = new TreeSet<>(firing);
        tested.addAll(silent);
        // A misspelt alertname never fires, so its "stays silent" case would pass without testing anything.
        Set<String> unknown = new TreeSet<>(tested);
        unknown.removeAll(alertsOf(yaml.readTree(RULES.toFile())).keySet());
        assertEquals(Set.of(), unknown, "alert_rule_test names that are no alert of " + RULES);

        List<Executable> checks = new ArrayList<>();
        for (String alert : PRIORITIES.keySet()) {
            checks.add(() -> assertTrue(firing.contains(alert), alert + " has a case where it fires"));
            checks.add(() -> assertTrue(silent.contains(alert), alert + " has a case where it stays silent"));
        }
        assertAll(checks);
    }

    @Test
    void rulesHaveSeverityPriorityAndRunbook() throws Exception {
        JsonNode rules = yaml.readTree(RULES.toFile());
        assertEquals("mistral-gateway", rules.path("groups").path(0).path("name").asText());
        Map<String, JsonNode> alerts = alertsOf(rules);
        assertTrue(alerts.keySet().containsAll(PRIORITIES.keySet()),
                "the shipped alerts " + PRIORITIES.keySet() + " are all in " + alerts.keySet());

        List<Executable> checks = new ArrayList<>();
        alerts.forEach((alert, rule) -> {
            JsonNode labels = rule.path("labels");
            JsonNode annotations = rule.path("annotations");
            String priority = labels.path("priority").asText();
            checks.add(() -> assertEquals(PRIORITIES.getOrDefault(alert, priority), priority, alert + " priority"));
            checks.add(() -> assertEquals(SEVERITIES.get(priority), labels.path("severity").asText(null),
                    alert + " severity matches its priority " + priority));
            for (String annotation : List.of("summary", "description")) {
                checks.add(() -> assertFalse(annotations.path(annotation).asText().isBlank(),
                        alert + " has a " + annotation));
            }
            checks.add(() -> assertEquals(RunbookLinks.of(alert),
                    annotations.path("runbook_url").asText(null), alert + " runbook_url"));
        });
        assertAll(checks);
    }

    @Test
    void prometheusRuleResourceMatchesTheRulesFile() throws Exception {
        List<JsonNode> documents;
        try (MappingIterator<JsonNode> iterator = yaml.readerFor(JsonNode.class).readValues(KUBERNETES.toFile())) {
            documents = iterator.readAll();
        }
        List<JsonNode> prometheusRules = documents.stream()
                .filter(document -> document != null && "PrometheusRule".equals(document.path("kind").asText()))
                .toList();
        assertEquals(1, prometheusRules.size(), "one PrometheusRule in " + KUBERNETES);
        JsonNode resource = prometheusRules.get(0);
        assertEquals("monitoring.coreos.com/v1", resource.path("apiVersion").asText());
        assertEquals("mistral-gateway", resource.path("metadata").path("name").asText());
        assertEquals("mistral-gateway",
                resource.path("metadata").path("labels").path("app.kubernetes.io/name").asText());

        JsonNode rules = yaml.readTree(RULES.toFile());
        assertFalse(rules.path("groups").isEmpty(), RULES + " has groups");
        // Rule by rule first, so that a drift names its alert instead of printing both files.
        Map<String, JsonNode> copies = alertsOf(resource.path("spec"));
        List<Executable> checks = new ArrayList<>();
        alertsOf(rules).forEach((alert, rule) -> checks.add(() -> assertEquals(rule, copies.get(alert),
                alert + " in " + KUBERNETES + " is a copy of " + alert + " in " + RULES)));
        assertAll(checks);
        assertEquals(rules.path("groups"), resource.path("spec").path("groups"),
                "spec.groups of the PrometheusRule in " + KUBERNETES + " are a copy of the groups of " + RULES);
    }

    @Test
    void dashboardQueriesUseOnlyKnownMetricNames() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(MetricNames.DASHBOARD.toFile());
        List<JsonNode> panels = new ArrayList<>();
        collectPanels(dashboard, panels);
        assertFalse(panels.isEmpty(), "the dashboard has panels");
        List<Executable> checks = new ArrayList<>();
        for (JsonNode panel : panels) {
            checks.add(() -> assertFalse(panel.findValues("expr").isEmpty(),
                    "panel \"" + panel.path("title").asText() + "\" has a query"));
        }
        assertAll(checks);

        Set<String> names = new TreeSet<>();
        MetricNames.dashboardExpressions().forEach(expr -> names.addAll(MetricNames.referencedIn(expr)));
        assertFalse(names.isEmpty(), "the dashboard queries gateway metrics");
        assertEquals(Set.of(), unknown(names), "dashboard metrics missing from the documented contract");
    }

    @Test
    void alertExpressionsUseOnlyKnownMetricNames() {
        Set<String> names = new TreeSet<>();
        MetricNames.ruleExpressions().forEach(expr -> names.addAll(MetricNames.referencedIn(expr)));
        assertFalse(names.isEmpty(), "the rules query gateway metrics");
        assertEquals(Set.of(), unknown(names), "alert metrics missing from the documented contract");
    }

    @Test
    void dashboardAsksForItsPrometheusDatasourceOnImport() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(MetricNames.DASHBOARD.toFile());
        assertEquals(39, dashboard.path("schemaVersion").asInt());
        JsonNode input = dashboard.path("__inputs").path(0);
        assertEquals("DS_PROMETHEUS", input.path("name").asText());
        assertEquals("datasource", input.path("type").asText());
        assertEquals("prometheus", input.path("pluginId").asText());

        // A hard-coded datasource uid would point at nothing in the Grafana that imports the dashboard.
        List<JsonNode> datasources = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            datasources.add(panel.path("datasource"));
            panel.path("targets").forEach(target -> datasources.add(target.path("datasource")));
        }
        for (JsonNode datasource : datasources) {
            assertEquals("${DS_PROMETHEUS}", datasource.path("uid").asText(), datasource.toString());
        }
    }

    @Test
    void metricNamesAreReadWithoutHistogramSuffixes() {
        assertEquals(Set.of("mistral_upstream_latency_seconds", "mistral_errors_total"), MetricNames.referencedIn(
                "histogram_quantile(0.95, sum by (le) (rate(mistral_upstream_latency_seconds_bucket[5m])))"
                        + " / mistral_upstream_latency_seconds_count + mistral_upstream_latency_seconds_sum"
                        + " or sum(increase(mistral_errors_total{reason=\"auth\"}[5m]))"));
        assertEquals(Set.of(), MetricNames.referencedIn(
                "runbook_url: " + RunbookLinks.of("MistralApiDown") + ", group mistral-gateway, job:mistral_errors:rate5m"));
        assertTrue(MetricNames.inRulesAndDashboard().containsAll(Set.of("mistral_errors_total",
                "mistral_upstream_latency_seconds", "mistral_spend_usd_total", "mistral_circuit_breaker_state")));
    }

    private static Map<String, JsonNode> alertsOf(JsonNode rules) {
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.hasNonNull("alert")) {
                    alerts.put(rule.path("alert").asText(), rule);
                }
            }
        }
        return alerts;
    }

    /** Panels that show data; rows only group them (a collapsed row carries its panels inside). */
    private static void collectPanels(JsonNode parent, List<JsonNode> panels) {
        for (JsonNode panel : parent.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                collectPanels(panel, panels);
            } else {
                panels.add(panel);
            }
        }
    }

    private static Set<String> unknown(Set<String> names) {
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(CONTRACT);
        return unknown;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtoolOnPath().toString());
        command.addAll(List.of(arguments));
        // A file, not a pipe: a pipe nobody reads while waiting could fill up and block promtool.
        Path log = Files.createTempFile("promtool", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(PROMTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + PROMTOOL_TIMEOUT_SECONDS + " s:\n"
                        + Files.readString(log));
            }
            return new Result(process.exitValue(), String.join(" ", command) + "\n" + Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Fails in CI, where the checks must run, and skips elsewhere, when promtool is not installed. */
    private static Path promtoolOnPath() {
        Optional<Path> promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        String message = "promtool is not on PATH; install it with the Debian/Ubuntu package 'prometheus'"
                + " (apt-get install prometheus) to check the alert rules";
        if (promtool.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(promtool.isPresent(), message);
        return promtool.get();
    }
}
