package dev.mistralgateway.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.health.HealthReport;
import dev.mistralgateway.health.MistralHealth;
import dev.mistralgateway.metrics.RecentRequests;
import dev.mistralgateway.models.ModelCatalog;
import dev.mistralgateway.resilience.CircuitBreakerStatus;
import dev.mistralgateway.security.ApiKeys;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.Variant;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ui} on the management port: the gateway's state at a glance for the on-call engineer, rendered whole on
 * the server (readable without JavaScript), then refreshed every two seconds by a few lines of script that fetch the
 * page's main part again. Read-only; never a key, a prompt or a client's path: key names, counts, ids and types.
 * It is on the management port only, the network boundary of {@code /q/metrics}, never on the API port.
 */
@Singleton
public class OperatorPage {

    static final String PATH = "/ui";
    /** Set by the dev build's simulator producer; read as a name, so production code never reaches the simulator. */
    static final String DEV_SIMULATOR_URL = "mistral-gateway.dev-simulator.url";

    private static final String TEMPLATE = "templates/operator-page.html";

    private final MistralHealth health;
    private final CircuitBreakerStatus breaker;
    private final SpendMeter spend;
    private final ModelCatalog models;
    private final RecentRequests recent;
    private final List<String> keyNames;
    private final PageModel.Limits limits;
    private final Template template;

    OperatorPage(MistralHealth health, CircuitBreakerStatus breaker, SpendMeter spend, ModelCatalog models,
            RecentRequests recent, GatewayConfig config) {
        this.health = health;
        this.breaker = breaker;
        this.spend = spend;
        this.models = models;
        this.recent = recent;
        this.keyNames = ApiKeys.parse(config.apiKeys().orElse(List.of())).names();
        this.template = template();
        this.limits = new PageModel.Limits(
                config.keyLimits().requestsPerMinute().isPresent()
                        ? String.valueOf(config.keyLimits().requestsPerMinute().getAsInt()) : "no limit",
                config.keyLimits().hourlyTokens().isPresent()
                        ? String.valueOf(config.keyLimits().hourlyTokens().getAsLong()) : "no limit");
    }

    void install(@Observes ManagementInterface management) {
        management.router().get(PATH).handler(this::serve);
    }

    private void serve(RoutingContext context) {
        PageModel model = model();
        boolean mainOnly = "main".equals(context.request().getParam("part"));
        String html = (mainOnly ? template.getFragment("main").data("model", model) : template.data("model", model))
                .render();
        context.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                // Nothing but this page's own inline script and style; no frames, no other origin but the dev simulator.
                .putHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:* "
                        + "http://localhost:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(html);
    }

    /**
     * The page's template, HTML-escaped. The engine is Qute's, as a library: its extension would put a release of its
     * template debugger that Maven Central lacks on dev mode's class path (src/docs/decisions.md).
     */
    static Template template() {
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).build();
        try (InputStream source = OperatorPage.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            if (source == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the application");
            }
            return engine.parse(new String(source.readAllBytes(), StandardCharsets.UTF_8),
                    Variant.forContentType(Variant.TEXT_HTML), TEMPLATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's state now, from cached state only. */
    PageModel model() {
        HealthReport report = health.report();
        CircuitBreakerStatus.State state = breaker.state();
        long closesIn = state == CircuitBreakerStatus.State.OPEN ? Math.max(1, breaker.untilHalfOpen().toSeconds()) : 0;
        return new PageModel(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                new PageModel.Upstream(report.status(), report.latencyMs(), report.checkedAt(), report.error()),
                new PageModel.Breaker(CircuitBreakerStatus.NAME, state.label(), closesIn),
                budget(), limits, keys(), modelRows(), models.fromMistral(), recent.failures(),
                System.getProperty(DEV_SIMULATOR_URL));
    }

    private PageModel.Budget budget() {
        double spent = spend.lastHourUsd();
        OptionalDouble limit = spend.hourlyBudget();
        int percent = limit.isPresent() && limit.getAsDouble() > 0
                ? (int) Math.min(100, Math.round(100 * spent / limit.getAsDouble())) : 0;
        return new PageModel.Budget(usd(spent), limit.isPresent() ? usd(limit.getAsDouble()) : null, percent);
    }

    /** Every configured key (none used yet included), then any other name seen (anonymous in dev mode). */
    private List<PageModel.KeyRow> keys() {
        Map<String, PageModel.KeyRow> rows = new LinkedHashMap<>();
        keyNames.forEach(name -> rows.put(name, new PageModel.KeyRow(name, 0, 0, 0, usd(0))));
        for (RecentRequests.KeyActivity key : recent.keys()) {
            rows.put(key.key(), new PageModel.KeyRow(key.key(), key.requests(), key.failures(), key.tokens(),
                    usd(key.spendUsd())));
        }
        return new ArrayList<>(rows.values());
    }

    private List<PageModel.ModelRow> modelRows() {
        List<PageModel.ModelRow> rows = new ArrayList<>();
        for (JsonNode card : models.list().path("data")) {
            List<String> capabilities = new ArrayList<>();
            for (Map.Entry<String, JsonNode> capability : card.path("capabilities").properties()) {
                if (capability.getValue().asBoolean(false)) {
                    capabilities.add(capability.getKey());
                }
            }
            rows.add(new PageModel.ModelRow(card.path("id").asText(), String.join(", ", capabilities)));
        }
        return rows;
    }

    /** Dollars with enough digits to tell a small spend from none. */
    static String usd(double value) {
        return String.format(Locale.ROOT, value != 0 && Math.abs(value) < 0.01 ? "%.6f" : "%.2f", value);
    }
}
