package dev.mistralgateway.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.resilience.CircuitBreakerStatus;
import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Health as kubelets, the canary script and operators see it. The probe interval is an hour in tests, so each test
 * runs the probe itself after arranging Mistral's behaviour.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class HealthTest {

    @Inject
    MistralHealthProbe probe;

    @Inject
    CircuitBreakerStatus breaker;

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    @AfterEach
    void leaveHealthy() {
        Simulator.reset();
        probe.probe().await().indefinitely();
    }

    private void probeNow() {
        probe.probe().await().indefinitely();
    }

    @Test
    void healthyAfterAFastProbe() {
        probeNow();
        given().get("/health").then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("status", equalTo("healthy"))
                .body("provider", equalTo("mistral"))
                .body("latencyMs", greaterThanOrEqualTo(0))
                .body("model", equalTo("mistral-small-2506"))
                .body("error", nullValue())
                .body("checkedAt", notNullValue())
                .body("services.mistral.status", equalTo("healthy"))
                .body("services.mistral.provider", equalTo("mistral"))
                .body("services.mistral.circuitBreaker", equalTo("closed"));
        Management.given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'mistral' }.data.status", equalTo("healthy"));
        Management.given().get("/q/health/live").then().statusCode(200);
        Management.given().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void slowProbeIsDegraded() {
        // The degraded threshold is 300 ms in tests (5000 ms by default).
        Simulator.inject(Fault.of(Fault.Type.LATENCY).latency(400).endpoint("models"));
        probeNow();
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("degraded"))
                .body("latencyMs", greaterThanOrEqualTo(400))
                .body("error", containsString("over the 300 ms threshold"));
    }

    @Test
    void failingProbeIsUnhealthyButThePodStaysReadyAndAlive() {
        Simulator.inject(Fault.status(503).endpoint("models"));
        probeNow();
        given().get("/health").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("error", containsString("HTTP 503"))
                .body("services.mistral.status", equalTo("unhealthy"));
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'mistral' }.data.status", equalTo("unhealthy"));
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void rejectedKeyIsUnhealthyAndNotReady() {
        Simulator.acceptOnlyKey("a-key-the-gateway-does-not-have");
        probeNow();
        given().get("/health").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("error", containsString("HTTP 401"));
        Management.given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        Management.given().get("/q/health/live").then().statusCode(200);
        Simulator.reset();
        probeNow();
        Management.given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void openCircuitIsUnhealthyAndHalfOpenIsDegraded() {
        probeNow();
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                    .post("/api/chat");
        }
        given().get("/health").then().statusCode(503)
                .body("status", equalTo("unhealthy"))
                .body("services.mistral.circuitBreaker", equalTo("open"));
        Management.given().get("/q/health/ready").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(3))
                .until(() -> breaker.state() == CircuitBreakerStatus.State.HALF_OPEN);
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("degraded"))
                .body("services.mistral.circuitBreaker", equalTo("half-open"));
    }

    @Test
    void probesOfTheGatewayNeverCallMistral() {
        for (int i = 0; i < 50; i++) {
            given().get("/health");
            Management.given().get("/q/health/ready");
            Management.given().get("/q/health/live");
            Management.given().get("/q/health");
        }
        assertEquals(0, Simulator.count("models"));
    }
}
