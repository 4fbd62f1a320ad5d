package dev.mistralgateway.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ReadinessFollowsUpstreamTest.FollowUpstream.class)
class ReadinessFollowsUpstreamTest {

    public static class FollowUpstream implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mistral.health.readiness-follows-upstream", "true");
        }
    }

    @Inject
    MistralHealthProbe probe;

    @Test
    void readinessGoesDownWithMistralWhenSwitchedOn() {
        Simulator.reset();
        Simulator.inject(Fault.status(502).endpoint("models"));
        probe.probe().await().indefinitely();
        Management.given().get("/q/health/ready").then().statusCode(503).body("checks.find { it.name == 'mistral' }.data.status", equalTo("unhealthy"));
        probe.probe().await().indefinitely();
        Management.given().get("/q/health/ready").then().statusCode(200);
    }
}
