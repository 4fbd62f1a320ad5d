package dev.mistralgateway.observability;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.AllowLatestProfile;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Rules, dashboard and code cannot drift apart: after real traffic through the simulator, every metric the alert
 * rules and the dashboard query is in {@code /q/metrics}. (The profile allows an unpriced model, so the
 * unpriced-tokens series exists too, and sets a budget, whose limit series exists only when one is set.)
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(MetricsExportTest.EverySeriesProfile.class)
class MetricsExportTest {

    /** {@link AllowLatestProfile} with an hourly budget far above what the test spends. */
    public static class EverySeriesProfile extends AllowLatestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("gateway.budget.hourly-usd", "1000");
            // The key budget series exist only for a key with a budget of its own.
            overrides.put("gateway.keys.\"anonymous\".budget.daily-usd", "1000");
            return overrides;
        }
    }

    private static void post(String path, String body) {
        given().contentType(ContentType.JSON).body(body).post(path);
    }

    @Test
    void everyMetricTheRulesAndTheDashboardQueryIsExported() {
        Simulator.reset();
        String ping = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
        String streamPing = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
        post("/api/chat", ping);
        post("/v1/chat/completions", streamPing);
        post("/v1/embeddings", "{\"input\":\"x\"}");
        post("/api/chat", "{\"model\":\"mistral-small-latest\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        Simulator.inject(Fault.of(Fault.Type.TRUNCATE).afterChunks(1));
        post("/v1/chat/completions", streamPing);
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));
        post("/api/chat", ping);
        post("/api/chat", ping);
        Simulator.reset();

        Set<String> exported = MetricNames.referencedIn(Metrics.scrape());
        Set<String> queried = MetricNames.inRulesAndDashboard();
        assertFalse(queried.isEmpty());
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "queried by rules or dashboard but not exported: " + missing
                + "\nexported: " + exported);
    }
}
