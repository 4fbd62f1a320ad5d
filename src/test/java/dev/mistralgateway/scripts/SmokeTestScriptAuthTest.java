package dev.mistralgateway.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.health.MistralHealthProbe;
import dev.mistralgateway.scripts.ScriptsTest.Run;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** With client authentication on, the smoke test passes with a gateway key and stops at the chat step without one. */
@QuarkusTest
@TestProfile(AuthProfile.class)
@WithTestResource(SimulatorResource.class)
class SmokeTestScriptAuthTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    MistralHealthProbe probe;

    @BeforeEach
    void healthyMistral() {
        Simulator.reset();
        probe.probe().await().indefinitely();
    }

    @Test
    void passesWithTheGatewayKey() throws Exception {
        Run run = ScriptsTest.run(Map.of("GATEWAY_API_KEY", AuthProfile.TEAM_A_KEY),
                List.of(ScriptsTest.SCRIPTS.resolve("smoke-test").toString(), base.toString(),
                "--metrics-url", Management.metricsUrl()));
        assertEquals(0, run.exitCode(), run.describe());
    }

    @Test
    void failsAtTheChatStepWithoutAKey() throws Exception {
        Run run = ScriptsTest.run(Map.of(), List.of(ScriptsTest.SCRIPTS.resolve("smoke-test").toString(), base.toString(),
                "--metrics-url", Management.metricsUrl()));
        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: chat: /api/chat answered HTTP 401"), run.describe());
    }
}
