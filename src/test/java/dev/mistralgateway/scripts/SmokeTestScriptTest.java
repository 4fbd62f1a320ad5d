package dev.mistralgateway.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mistralgateway.health.MistralHealthProbe;
import dev.mistralgateway.scripts.ScriptsTest.FakeKubectl;
import dev.mistralgateway.scripts.ScriptsTest.Run;
import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The smoke test is what tells an operator a deploy or rollback worked, so it runs here for real against the gateway
 * and the Mistral simulator: it passes on a healthy gateway and names the failing step when Mistral misbehaves.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class SmokeTestScriptTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    MistralHealthProbe probe;

    @TempDir
    Path tmp;

    @BeforeEach
    void healthyMistral() {
        Simulator.reset();
        // The probe runs hourly in tests: refresh /health after the reset.
        probe.probe().await().indefinitely();
    }

    @AfterEach
    void leaveHealthy() {
        healthyMistral();
    }

    @Test
    void passesEveryStepOnAHealthyGateway() throws Exception {
        Run run = smokeTest();

        assertEquals(0, run.exitCode(), run.describe());
        List<String> steps = run.stdout().lines().map(line -> line.replaceFirst(":.*", ":")).toList();
        assertEquals(List.of("ok:", "ok:", "ok:", "ok:"), steps, run.describe());
        assertTrue(run.stdout().contains("ok: health: healthy"), run.describe());
        assertTrue(run.stdout().contains("ok: chat: Echo: ping"), run.describe());
        assertTrue(run.stdout().contains("ok: stream: "), run.describe());
        assertTrue(run.stdout().contains("ok: metrics: "), run.describe());
        assertEquals("", run.stderr());
    }

    @Test
    void failsAtTheHealthStepWhenMistralIsUnreachable() throws Exception {
        Simulator.inject(Fault.status(500).times(-1).endpoint("models"));
        probe.probe().await().indefinitely();

        Run run = smokeTest();

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: health: /health answered HTTP 503, status unhealthy"), run.describe());
        assertEquals("", run.stdout());
    }

    @Test
    void failsAtTheChatStepWhenMistralFails() throws Exception {
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));

        Run run = smokeTest();

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("ok: health"), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: chat: /api/chat answered HTTP 502: upstream_error"), run.describe());
        assertFalse(run.stdout().contains("ok: chat"), run.describe());
    }

    @Test
    void failsAtTheStreamingStepWhenTheStreamIsCut() throws Exception {
        Simulator.inject(Fault.of(Fault.Type.TRUNCATE).afterChunks(1));

        Run run = smokeTest();

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("ok: chat"), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: stream: the stream ended with an error event: upstream_truncated_stream"),
                run.describe());
        assertFalse(run.stdout().contains("ok: stream"), run.describe());
    }

    @Test
    void rollbackSmokeTestsTheGatewayAfterTheRollout() throws Exception {
        FakeKubectl kubectl = FakeKubectl.in(tmp);

        Run run = kubectl.run("rollback", "--smoke-url", base.toString(), "--metrics-url", Management.metricsUrl());

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(List.of(
                "rollout undo deployment/mistral-gateway",
                "rollout status deployment/mistral-gateway --timeout=10m"), kubectl.calls());
        assertTrue(run.stdout().contains("ok: metrics"), run.describe());
        assertTrue(run.stdout().endsWith("rollback: deployment/mistral-gateway rolled back and serving\n"), run.describe());
    }

    @Test
    void rollbackFailsWhenTheRolledBackGatewayFailsItsSmokeTest() throws Exception {
        FakeKubectl kubectl = FakeKubectl.in(tmp);
        Simulator.inject(Fault.status(500).times(-1).endpoint("chat"));

        Run run = kubectl.run("rollback", "--smoke-url", base.toString(), "--metrics-url", Management.metricsUrl());

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("FAILED: chat"), run.describe());
        assertTrue(run.stderr().contains("rollback: FAILED: smoke test"), run.describe());
    }

    private Run smokeTest() throws Exception {
        return ScriptsTest.run(Map.of(), List.of(ScriptsTest.SCRIPTS.resolve("smoke-test").toString(), base.toString(),
                "--metrics-url", Management.metricsUrl()));
    }
}
