package dev.mistralgateway.scripts;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * The release scripts change production, so their kubectl calls are proven here against a recording fake kubectl:
 * what a canary release and a rollback call when all goes well, and that a failed check removes only the canary.
 * Health, Prometheus and the gateway are stood in for by a local HTTP server with canned answers.
 */
class ScriptsTest {

    static final Path SCRIPTS = Path.of("src/main/scripts");
    static final Path TEST_SCRIPTS = Path.of("src/test/scripts");
    static final long TIMEOUT_SECONDS = 30;

    private static final String IMAGE = "registry.example.com/mistral-gateway:1.1.0";
    private static final String GET_STABLE = "-n prod get deployment mistral-gateway -o json";
    private static final String CANARY_READY = "-n prod get deployment mistral-gateway-canary -o jsonpath={.status.readyReplicas}";
    private static final String DELETE_CANARY = "-n prod delete deployment mistral-gateway-canary --ignore-not-found";
    private static final String HEALTHY = "{\"status\":\"healthy\",\"services\":{\"mistral\":{\"status\":\"healthy\"}}}";
    private static final String UNHEALTHY = "{\"status\":\"unhealthy\",\"services\":{\"mistral\":{\"status\":\"unhealthy\","
            + "\"error\":\"Mistral failed with HTTP 401\",\"circuitBreaker\":\"closed\"}}}";

    @TempDir
    Path tmp;

    private FakeKubectl kubectl;
    private CannedServer server;

    @BeforeEach
    void setUp() throws IOException {
        kubectl = FakeKubectl.in(tmp);
        server = CannedServer.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    // ---- shellcheck and usage ----

    @Test
    void everyScriptIsShellcheckClean() throws Exception {
        Path shellcheck = toolOnPath("shellcheck", "install it with the Debian/Ubuntu package 'shellcheck'");
        List<String> command = new ArrayList<>(List.of(shellcheck.toString()));
        List<Path> scripts = scripts();
        assertTrue(scripts.size() >= 4, "found " + scripts);
        scripts.forEach(script -> command.add(script.toString()));
        Run run = run(Map.of(), command);
        assertEquals(0, run.exitCode(), run.describe());
    }

    @Test
    void everyScriptIsExecutableAndExplainsItselfWithHelp() throws Exception {
        for (String script : List.of("canary", "smoke-test", "rollback")) {
            Run run = kubectl.run(script, "--help");
            assertEquals(0, run.exitCode(), run.describe());
            assertTrue(run.stdout().startsWith("Usage: " + script), run.describe());
        }
        assertEquals(List.of(), kubectl.calls());
    }

    // ---- canary ----

    @Test
    void canaryThatPassesEveryCheckIsPromotedAndRemoved() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/v1/query", 200, prometheusRatio("0.01"));

        Run run = canary("--prometheus-url", server.url(""));

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(List.of(
                GET_STABLE,
                "-n prod apply -f -",
                "-n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                CANARY_READY,
                CANARY_READY,
                "-n prod set image deployment/mistral-gateway mistral-gateway=" + IMAGE,
                "-n prod rollout status deployment/mistral-gateway --timeout=10m",
                DELETE_CANARY), kubectl.calls());
        assertEquals(2, server.requests("/health").size(), "one health check per interval");
        List<String> queries = server.requests("/api/v1/query");
        assertEquals(2, queries.size(), "one error ratio query per interval");
        assertTrue(queries.get(0).contains("status_class=\"5xx\"") && queries.get(0).contains("pod=~\"mistral-gateway-canary-.*\"")
                && queries.get(0).contains("namespace=\"prod\""), queries.get(0));

        JsonNode canary = kubectl.stdinOfCall(2);
        assertAll(
                () -> assertEquals("mistral-gateway-canary", canary.path("metadata").path("name").asText()),
                () -> assertEquals(1, canary.path("spec").path("replicas").asInt(), "10 % of 4, at least 1"),
                () -> assertEquals("canary", canary.path("spec").path("template").path("metadata").path("labels").path("track").asText()),
                () -> assertEquals("mistral-gateway", canary.path("spec").path("template").path("metadata").path("labels")
                        .path("app.kubernetes.io/name").asText(), "keeps the label the Service selects"),
                () -> assertEquals("canary", canary.path("spec").path("selector").path("matchLabels").path("track").asText(),
                        "its selector does not take the stable pods"),
                () -> assertEquals(IMAGE, container(canary, "mistral-gateway").path("image").asText()),
                () -> assertEquals("registry.example.com/log-shipper:3", container(canary, "log-shipper").path("image").asText(),
                        "other containers keep their image"),
                () -> assertTrue(canary.path("status").isMissingNode(), "no status"),
                () -> assertTrue(canary.path("metadata").path("resourceVersion").isMissingNode(), "no resourceVersion"),
                () -> assertTrue(canary.path("metadata").path("uid").isMissingNode(), "no uid"),
                () -> assertTrue(canary.path("metadata").path("creationTimestamp").isMissingNode(), "no creationTimestamp"),
                () -> assertTrue(canary.path("metadata").path("managedFields").isMissingNode(), "no managedFields"));
    }

    @Test
    void canaryHealthIsReadThroughAPortForwardToTheCanaryWhenNoHealthUrlIsGiven() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        // The fake forwards nothing: the local port is the canned server's, which answers as the canary would.
        int port = server.port();
        kubectl.answer("port-forward_deployment_mistral-gateway-canary_" + port + ":8080.out",
                "Forwarding from 127.0.0.1:" + port + " -> 8080\n");
        server.answer("/health", 200, HEALTHY);

        Run run = kubectl.run("canary", "-n", "prod", "--image", IMAGE, "--window", "2s", "--interval", "1s",
                "--local-port", String.valueOf(port));

        assertEquals(0, run.exitCode(), run.describe());
        String portForward = "-n prod port-forward deployment/mistral-gateway-canary " + port + ":8080";
        assertEquals(List.of(GET_STABLE,
                "-n prod apply -f -",
                "-n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                CANARY_READY,
                portForward,
                CANARY_READY,
                portForward,
                "-n prod set image deployment/mistral-gateway mistral-gateway=" + IMAGE,
                "-n prod rollout status deployment/mistral-gateway --timeout=10m",
                DELETE_CANARY), kubectl.calls());
        assertEquals(2, server.requests("/health").size());
    }

    @Test
    void canaryIsRemovedWhenItsHealthCannotBeReachedThroughAPortForward() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        kubectl.answer("port-forward_deployment_mistral-gateway-canary_18080:8080.rc", "1");
        kubectl.answer("port-forward_deployment_mistral-gateway-canary_18080:8080.err",
                "error: unable to forward port because pod is not running. Current status=Pending\n");

        Run run = kubectl.run("canary", "-n", "prod", "--image", IMAGE, "--window", "1s", "--interval", "1s");

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(DELETE_CANARY, last(kubectl.calls()));
        assertStableUntouched();
        assertTrue(run.stderr().contains("kubectl port-forward to deployment/mistral-gateway-canary failed: error: unable to forward port"),
                run.describe());
    }

    @ParameterizedTest(name = "{0} stable replicas -> {1} canary")
    @CsvSource({ "1, 1", "4, 1", "15, 2", "20, 2", "40, 4" })
    void canaryGetsTenPercentOfTheStableReplicasAndAtLeastOne(int stable, int canary) throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(stable));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", String.valueOf(canary));
        server.answer("/health", 200, HEALTHY);

        Run run = kubectl.run("canary", "-n", "prod", "--image", IMAGE, "--window", "1s", "--interval", "1s",
                "--health-url", server.url("/health"));

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(canary, kubectl.stdinOfCall(2).path("spec").path("replicas").asInt());
    }

    @Test
    void canaryThatDoesNotRollOutIsRemovedAndStableIsNotTouched() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("rollout_status_deployment_mistral-gateway-canary.rc", "1");
        kubectl.answer("rollout_status_deployment_mistral-gateway-canary.err",
                "error: timed out waiting for the condition");
        server.answer("/health", 200, HEALTHY);

        Run run = canary();

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of(
                GET_STABLE,
                "-n prod apply -f -",
                "-n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                DELETE_CANARY), kubectl.calls());
        assertTrue(run.stderr().contains("did not become available"), run.describe());
        assertEquals(List.of(), server.requests("/health"), "no checks of a canary that is not up");
    }

    @Test
    void unhealthyCanaryIsRemovedAndStableIsNotTouched() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 503, UNHEALTHY);

        Run run = canary();

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of(
                GET_STABLE,
                "-n prod apply -f -",
                "-n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                CANARY_READY,
                DELETE_CANARY), kubectl.calls());
        assertStableUntouched();
        assertTrue(run.stderr().contains("canary: FAILED: canary /health reports mistral unhealthy: Mistral failed with HTTP 401"),
                run.describe());
        assertEquals(1, server.requests("/health").size(), "stops at the first failed check");
    }

    @Test
    void canaryWhosePodsAreNotReadyIsRemovedAndStableIsNotTouched() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(20));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 200, HEALTHY);

        Run run = canary();

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(CANARY_READY, kubectl.calls().get(3));
        assertEquals(DELETE_CANARY, last(kubectl.calls()));
        assertStableUntouched();
        assertTrue(run.stderr().contains("canary pods not Ready: 1/2"), run.describe());
    }

    @Test
    void canaryWithTooManyErrorsInPrometheusIsRemovedAndStableIsNotTouched() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/v1/query", 200, prometheusRatio("0.2"));

        Run run = canary("--prometheus-url", server.url(""), "--max-error-ratio", "0.1");

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of(
                GET_STABLE,
                "-n prod apply -f -",
                "-n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                CANARY_READY,
                DELETE_CANARY), kubectl.calls());
        assertStableUntouched();
        assertTrue(run.stderr().contains("canary error ratio 0.2 is above 0.1"), run.describe());
    }

    @Test
    void canaryWithoutTrafficPassesTheErrorRatioCheck() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/v1/query", 200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");

        Run run = canary("--prometheus-url", server.url(""));

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.stdout().contains("no traffic"), run.describe());
    }

    @Test
    void canaryIsRemovedWhenPrometheusCannotBeAsked() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/v1/query", 503, "{\"status\":\"error\",\"error\":\"overloaded\"}");

        Run run = canary("--prometheus-url", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertStableUntouched();
        assertEquals(DELETE_CANARY, last(kubectl.calls()));
        assertTrue(run.stderr().contains("cannot query Prometheus"), run.describe());
    }

    @Test
    void failedPromotionExitsWith3AndRemovesTheCanary() throws Exception {
        kubectl.answer("get_deployment_mistral-gateway.out", stableDeployment(4));
        kubectl.answer("get_deployment_mistral-gateway-canary.out", "1");
        kubectl.answer("rollout_status_deployment_mistral-gateway.rc", "1");
        server.answer("/health", 200, HEALTHY);

        Run run = canary();

        assertEquals(3, run.exitCode(), run.describe());
        List<String> calls = kubectl.calls();
        assertEquals(List.of(
                "-n prod set image deployment/mistral-gateway mistral-gateway=" + IMAGE,
                "-n prod rollout status deployment/mistral-gateway --timeout=10m",
                DELETE_CANARY), calls.subList(calls.size() - 3, calls.size()));
        assertTrue(run.stderr().contains("rollback"), "points to the rollback script: " + run.describe());
    }

    @Test
    void canaryDryRunPrintsTheKubectlCommandsAndCallsNothing() throws Exception {
        Run run = kubectl.run("canary", "-n", "prod", "--image", IMAGE, "--dry-run");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(List.of(), kubectl.calls());
        List<String> commands = run.stdout().lines().filter(line -> line.startsWith("kubectl")).toList();
        assertEquals(List.of(
                "kubectl -n prod get deployment mistral-gateway -o json",
                "kubectl -n prod apply -f -",
                "kubectl -n prod rollout status deployment/mistral-gateway-canary --timeout=10m",
                "kubectl -n prod get deployment mistral-gateway-canary -o 'jsonpath={.status.readyReplicas}'",
                "kubectl -n prod port-forward deployment/mistral-gateway-canary 18080:8080",
                "kubectl -n prod set image deployment/mistral-gateway mistral-gateway=" + IMAGE,
                "kubectl -n prod rollout status deployment/mistral-gateway --timeout=10m",
                "kubectl -n prod delete deployment mistral-gateway-canary --ignore-not-found",
                "kubectl -n prod delete deployment mistral-gateway-canary --ignore-not-found"), commands);
    }

    @Test
    void canaryWithoutImageIsAUsageErrorAndCallsNothing() throws Exception {
        Run run = kubectl.run("canary", "-n", "prod");

        assertEquals(2, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("--image is required"), run.describe());
        assertEquals(List.of(), kubectl.calls());
    }

    // ---- rollback ----

    @Test
    void rollbackUndoesToTheRevisionAndWaitsForTheRollout() throws Exception {
        Run run = kubectl.run("rollback", "-n", "prod", "--to-revision", "3", "--skip-smoke");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(List.of(
                "-n prod rollout undo deployment/mistral-gateway --to-revision=3",
                "-n prod rollout status deployment/mistral-gateway --timeout=10m"), kubectl.calls());
    }

    @Test
    void rollbackStopsWhenUndoFails() throws Exception {
        kubectl.answer("rollout_undo_deployment_mistral-gateway.rc", "1");

        Run run = kubectl.run("rollback", "-n", "prod", "--smoke-url", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of("-n prod rollout undo deployment/mistral-gateway"), kubectl.calls());
        assertTrue(run.stderr().contains("rollback: FAILED: kubectl rollout undo"), run.describe());
        assertEquals(List.of(), server.requests("/health"), "no smoke test");
    }

    @Test
    void rollbackFailsWhenTheRolloutDoesNotFinish() throws Exception {
        kubectl.answer("rollout_status_deployment_mistral-gateway.rc", "1");

        Run run = kubectl.run("rollback", "-n", "prod", "--timeout", "2m", "--smoke-url", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of(
                "-n prod rollout undo deployment/mistral-gateway",
                "-n prod rollout status deployment/mistral-gateway --timeout=2m"), kubectl.calls());
        assertTrue(run.stderr().contains("did not finish rolling back within 2m"), run.describe());
        assertEquals(List.of(), server.requests("/health"), "no smoke test");
    }

    @Test
    void rollbackFailsWhenTheSmokeTestFails() throws Exception {
        server.answer("/health", 503, UNHEALTHY);

        Run run = kubectl.run("rollback", "-n", "prod", "--smoke-url", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertEquals(List.of(
                "-n prod rollout undo deployment/mistral-gateway",
                "-n prod rollout status deployment/mistral-gateway --timeout=10m"), kubectl.calls());
        assertTrue(run.stderr().contains("FAILED: health: /health answered HTTP 503"), run.describe());
        assertTrue(run.stderr().contains("rollback: FAILED: smoke test"), run.describe());
    }

    @Test
    void rollbackWithoutSmokeUrlIsAUsageErrorAndCallsNothing() throws Exception {
        Run run = kubectl.run("rollback");

        assertEquals(2, run.exitCode(), run.describe());
        assertEquals(List.of(), kubectl.calls());
    }

    // ---- smoke-test details a real gateway cannot show ----

    @Test
    void smokeTestSendsTheGatewayKeyFromTheEnvironmentAsBearerToken() throws Exception {
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/chat", 401, "{\"error\":{\"type\":\"authentication_error\",\"message\":\"Invalid key\"}}");

        Run run = kubectl.runWithEnv(Map.of("GATEWAY_API_KEY", "gw-key-123"), "smoke-test", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: chat: /api/chat answered HTTP 401: authentication_error: Invalid key"),
                run.describe());
        assertEquals(List.of("Bearer gw-key-123"), server.authorizations("/api/chat"));
    }

    @Test
    void smokeTestFailsOnAChatAnswerWithoutContent() throws Exception {
        server.answer("/health", 200, HEALTHY);
        server.answer("/api/chat", 200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"\"}}]}");

        Run run = kubectl.run("smoke-test", server.url(""), "--key", "gw-key-123");

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: chat: /api/chat answered 200 without .choices[0].message.content"),
                run.describe());
        assertEquals(List.of("Bearer gw-key-123"), server.authorizations("/api/chat"));
    }

    @Test
    void smokeTestFailsWhenTheGatewayCannotBeReached() throws Exception {
        server.stop();

        Run run = kubectl.run("smoke-test", server.url(""));

        assertEquals(1, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("FAILED: health: no answer from GET " + server.url("/health")), run.describe());
    }

    private Run canary(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-n", "prod", "--image", IMAGE, "--window", "2s", "--interval", "1s",
                "--health-url", server.url("/health")));
        args.addAll(List.of(extra));
        return kubectl.run("canary", args.toArray(String[]::new));
    }

    /** After the read that the canary is made from, no call names the stable Deployment. */
    private void assertStableUntouched() throws IOException {
        List<String> touching = kubectl.calls().stream()
                .filter(call -> !call.equals(GET_STABLE))
                .filter(call -> Stream.of(call.split(" ")).anyMatch(word -> word.equals("mistral-gateway")
                        || word.equals("deployment/mistral-gateway") || word.startsWith("mistral-gateway=")))
                .toList();
        assertEquals(List.of(), touching, "calls on the stable deployment");
    }

    private static String last(List<String> list) {
        return list.get(list.size() - 1);
    }

    private static JsonNode container(JsonNode deployment, String name) {
        for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
            if (name.equals(container.path("name").asText())) {
                return container;
            }
        }
        throw new AssertionError("no container " + name + " in " + deployment);
    }

    private static String prometheusRatio(String ratio) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1764150000,\""
                + ratio + "\"]}]}}";
    }

    /** The stable Deployment as the API server returns it, with the fields a copy must not carry over. */
    private static String stableDeployment(int replicas) {
        return """
                {
                  "apiVersion": "apps/v1",
                  "kind": "Deployment",
                  "metadata": {
                    "name": "mistral-gateway",
                    "namespace": "prod",
                    "labels": {"app.kubernetes.io/name": "mistral-gateway"},
                    "annotations": {"deployment.kubernetes.io/revision": "7", "prometheus.io/scrape": "true"},
                    "uid": "0b1c2d3e-0000-4000-8000-000000000001",
                    "resourceVersion": "123456",
                    "generation": 7,
                    "creationTimestamp": "2025-11-01T10:00:00Z",
                    "managedFields": [{"manager": "kubectl", "operation": "Apply"}]
                  },
                  "spec": {
                    "replicas": %d,
                    "selector": {"matchLabels": {"app.kubernetes.io/name": "mistral-gateway"}},
                    "template": {
                      "metadata": {"labels": {"app.kubernetes.io/name": "mistral-gateway"}},
                      "spec": {
                        "containers": [
                          {"name": "mistral-gateway", "image": "registry.example.com/mistral-gateway:1.0.0",
                           "ports": [{"containerPort": 8080, "name": "http"}]},
                          {"name": "log-shipper", "image": "registry.example.com/log-shipper:3"}
                        ]
                      }
                    }
                  },
                  "status": {"replicas": %d, "readyReplicas": %d, "observedGeneration": 7}
                }
                """.formatted(replicas, replicas, replicas);
    }

    // ---- helpers, shared with SmokeTestScriptTest ----

    /** Every script the project ships or tests with. */
    static List<Path> scripts() throws IOException {
        try (Stream<Path> main = Files.list(SCRIPTS); Stream<Path> test = Files.list(TEST_SCRIPTS)) {
            return Stream.concat(main, test).filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Fails in CI, where the check must run, and skips elsewhere, when the tool is not installed. */
    static Path toolOnPath(String tool, String howToInstall) {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(directory -> Path.of(directory, tool))
                .filter(Files::isExecutable)
                .findFirst();
        String message = tool + " is not on PATH; " + howToInstall;
        if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(found.isPresent(), message);
        return found.get();
    }

    record Run(List<String> command, int exitCode, String stdout, String stderr) {

        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs a command with extra environment; output to files, not pipes, which could fill up and block it. */
    static Run run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("script", ".out");
        Path err = Files.createTempFile("script", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Run(command, process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * src/test/scripts/fake-kubectl installed as "kubectl" in a directory put first on PATH, with its call log and
     * scenario directory; scripts run through it never reach a real kubectl.
     */
    static final class FakeKubectl {

        private final Path bin;
        private final Path log;
        private final Path scenario;

        private FakeKubectl(Path bin, Path log, Path scenario) {
            this.bin = bin;
            this.log = log;
            this.scenario = scenario;
        }

        static FakeKubectl in(Path directory) throws IOException {
            Path bin = Files.createDirectories(directory.resolve("bin"));
            Files.copy(TEST_SCRIPTS.resolve("fake-kubectl"), bin.resolve("kubectl"));
            assertTrue(bin.resolve("kubectl").toFile().setExecutable(true));
            Path calls = Files.createDirectories(directory.resolve("calls"));
            Path log = Files.createFile(calls.resolve("kubectl.log"));
            return new FakeKubectl(bin, log, Files.createDirectories(directory.resolve("scenario")));
        }

        /** Scripts the answer to a call: see the top of src/test/scripts/fake-kubectl for the file names. */
        void answer(String file, String content) throws IOException {
            Files.writeString(scenario.resolve(file), content);
        }

        List<String> calls() throws IOException {
            return Files.readAllLines(log);
        }

        /** What the Nth call (from 1) read from stdin, as JSON. */
        JsonNode stdinOfCall(int call) throws IOException {
            return new ObjectMapper().readTree(log.resolveSibling("stdin." + call).toFile());
        }

        Run run(String script, String... args) throws IOException, InterruptedException {
            return runWithEnv(Map.of(), script, args);
        }

        Run runWithEnv(Map<String, String> extraEnv, String script, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve(script).toString()));
            command.addAll(List.of(args));
            Map<String, String> env = new HashMap<>(extraEnv);
            env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
            env.put("FAKE_KUBECTL_LOG", log.toString());
            env.put("FAKE_KUBECTL_SCENARIO", scenario.toString());
            return ScriptsTest.run(env, command);
        }
    }

    /** A loopback HTTP server with one canned answer per path; it records each request's query and Authorization. */
    static final class CannedServer {

        private record Answer(int status, String body) {
        }

        private record Request(String path, String query, String authorization) {
        }

        private final HttpServer server;
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final List<Request> requests = new CopyOnWriteArrayList<>();

        private CannedServer(HttpServer server) {
            this.server = server;
        }

        static CannedServer start() throws IOException {
            CannedServer canned = new CannedServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            canned.server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String query = exchange.getRequestURI().getRawQuery();
                canned.requests.add(new Request(path,
                        query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8),
                        exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.getRequestBody().readAllBytes();
                Answer answer = canned.answers.getOrDefault(path, new Answer(404, "{\"error\":{\"type\":\"not_found\"}}"));
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.status(), body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            canned.server.start();
            return canned;
        }

        void answer(String path, int status, String body) {
            answers.put(path, new Answer(status, body));
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        /** The decoded query strings of the requests to this path. */
        List<String> requests(String path) {
            return requests.stream().filter(request -> request.path().equals(path)).map(Request::query).toList();
        }

        List<String> authorizations(String path) {
            return requests.stream().filter(request -> request.path().equals(path)).map(Request::authorization).toList();
        }

        private boolean stopped;

        synchronized void stop() {
            if (!stopped) {
                server.stop(0);
                stopped = true;
            }
        }
    }

}
