package dev.mistralgateway.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The gateway's metric names as the alert rules and the Grafana dashboard query them, so that tests can hold them
 * against the documented contract and against what {@code /q/metrics} really exports.
 */
final class MetricNames {

    /** Paths relative to the project root, the working directory of surefire. */
    static final Path RULES = Path.of("src/main/prometheus/mistral-gateway-alerts.yml");
    static final Path DASHBOARD = Path.of("src/main/grafana/mistral-gateway-dashboard.json");

    // The look-behind keeps "xmistral_a" or "job:mistral_a" (a recording rule's name) from counting as a metric.
    private static final Pattern NAME = Pattern.compile("(?<![A-Za-z0-9_:])mistral_[a-z0-9_]*[a-z0-9]");
    // A histogram is exported as _bucket, _sum and _count series; the contract names the histogram.
    private static final Pattern HISTOGRAM_SUFFIX = Pattern.compile("_(bucket|sum|count)$");

    private MetricNames() {
    }

    /** The {@code mistral_…} metric names in a PromQL expression or a scrape, histogram suffixes stripped. */
    static Set<String> referencedIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = NAME.matcher(text);
        while (matcher.find()) {
            names.add(HISTOGRAM_SUFFIX.matcher(matcher.group()).replaceFirst(""));
        }
        return names;
    }

    /** Every metric name the alert rules and the dashboard query. */
    static Set<String> inRulesAndDashboard() {
        Set<String> names = new TreeSet<>();
        ruleExpressions().forEach(expr -> names.addAll(referencedIn(expr)));
        dashboardExpressions().forEach(expr -> names.addAll(referencedIn(expr)));
        return names;
    }

    /** The {@code expr} of every rule of every group of the rules file. */
    static List<String> ruleExpressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : read(new YAMLMapper(), RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asText());
            }
        }
        return expressions;
    }

    /** Every {@code expr} of the dashboard, wherever it sits (panel targets, rows' panels). */
    static List<String> dashboardExpressions() {
        return read(new ObjectMapper(), DASHBOARD).findValues("expr").stream().map(JsonNode::asText).toList();
    }

    private static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath(), e);
        }
    }
}
