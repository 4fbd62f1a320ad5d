package dev.mistralgateway.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The manifests {@code ./mvnw package} generates, read as typed Kubernetes objects: what a cluster will run,
 * including the probes, the key from a Secret, the hardening and the rollout guarantees.
 */
class KubernetesManifestIT {

    private static final Path MANIFEST = Path.of("target", "kubernetes", "kubernetes.yml");
    private static List<HasMetadata> resources;

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.exists(MANIFEST), MANIFEST + " is generated at package");
        // A multi-document YAML comes back as a list of typed resources (custom kinds as generic ones).
        Object parsed = Serialization.unmarshal(Files.readString(MANIFEST));
        assertTrue(parsed instanceof List<?>, "several resources in " + MANIFEST);
        resources = ((List<?>) parsed).stream().map(HasMetadata.class::cast).toList();
    }

    private static <T extends HasMetadata> T one(Class<T> type, String kind) {
        List<HasMetadata> found = resources.stream().filter(r -> kind.equals(r.getKind())).toList();
        assertEquals(1, found.size(), "one " + kind + " in " + MANIFEST);
        HasMetadata resource = found.get(0);
        assertEquals("mistral-gateway", resource.getMetadata().getName());
        return type.isInstance(resource) ? type.cast(resource) : Serialization.unmarshal(Serialization.asYaml(resource), type);
    }

    private static Service service(String name) {
        HasMetadata found = resources.stream().filter(r -> "Service".equals(r.getKind()) && name.equals(r.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + name + " in " + MANIFEST));
        return found instanceof Service service ? service : Serialization.unmarshal(Serialization.asYaml(found), Service.class);
    }

    private static Deployment deployment() {
        return one(Deployment.class, "Deployment");
    }

    private static Container container() {
        List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    @Test
    void probesUseTheHealthEndpoints() {
        Container container = container();
        assertProbe(container.getReadinessProbe(), "/q/health/ready", 10, 3);
        assertProbe(container.getLivenessProbe(), "/q/health/live", 10, 3);
        assertProbe(container.getStartupProbe(), "/q/health/started", 2, 30);
    }

    private static void assertProbe(Probe probe, String path, int period, int failureThreshold) {
        assertNotNull(probe, path);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals(9000, probe.getHttpGet().getPort().getIntVal(), path + " is served on the management port");
        assertEquals(period, probe.getPeriodSeconds(), path);
        assertEquals(failureThreshold, probe.getFailureThreshold(), path);
        assertTrue(probe.getTimeoutSeconds() >= 1, path);
    }

    @Test
    void mistralKeyComesFromTheSecretAndNoEnvVarCarriesALiteralSecret() {
        List<EnvVar> env = container().getEnv();
        EnvVar key = env.stream().filter(e -> e.getName().equals("MISTRAL_API_KEY")).findFirst().orElseThrow();
        assertEquals(null, key.getValue(), "never inline");
        assertEquals("mistral-gateway", key.getValueFrom().getSecretKeyRef().getName());
        assertEquals("mistral-api-key", key.getValueFrom().getSecretKeyRef().getKey());
        EnvVar keys = env.stream().filter(e -> e.getName().equals("MISTRAL_API_KEYS")).findFirst().orElseThrow();
        assertEquals("mistral-gateway", keys.getValueFrom().getSecretKeyRef().getName());
        assertEquals("mistral-api-keys", keys.getValueFrom().getSecretKeyRef().getKey());
        for (EnvVar mistral : List.of(key, keys)) {
            assertEquals(Boolean.TRUE, mistral.getValueFrom().getSecretKeyRef().getOptional(), "either key serves");
        }
        assertEquals(1, env.stream().filter(e -> e.getName().equals("MISTRAL_API_KEY")).count(), "defined once");
        EnvVar clientKeys = env.stream().filter(e -> e.getName().equals("GATEWAY_API_KEYS")).findFirst().orElseThrow();
        assertEquals("mistral-gateway", clientKeys.getValueFrom().getSecretKeyRef().getName());
        assertEquals("gateway-api-keys", clientKeys.getValueFrom().getSecretKeyRef().getKey());
        Pattern secretName = Pattern.compile("(?i).*(KEY|SECRET|TOKEN|PASSWORD).*");
        for (EnvVar var : env) {
            if (secretName.matcher(var.getName()).matches()) {
                assertTrue(var.getValue() == null && var.getValueFrom() != null, var.getName() + " must come from a Secret");
            }
        }
        assertFalse(Pattern.compile("(sk-|Bearer )[A-Za-z0-9]").matcher(readManifest()).find(), "no key-shaped literal");
    }

    @Test
    void redisUrlAndPasswordComeFromOptionalSecretKeysSoPodsRunWithoutThem() {
        List<EnvVar> env = container().getEnv();
        for (String[] expected : new String[][] { { "QUARKUS_REDIS_HOSTS", "redis-url" },
                { "QUARKUS_REDIS_PASSWORD", "redis-password" } }) {
            EnvVar var = env.stream().filter(e -> e.getName().equals(expected[0])).findFirst().orElseThrow();
            assertEquals(null, var.getValue(), "never inline");
            assertEquals("mistral-gateway", var.getValueFrom().getSecretKeyRef().getName());
            assertEquals(expected[1], var.getValueFrom().getSecretKeyRef().getKey());
            assertEquals(Boolean.TRUE, var.getValueFrom().getSecretKeyRef().getOptional(), "absent key: in-memory state");
        }
    }

    @Test
    void resourcesAndJvmMemoryFlagsRespectTheLimit() {
        Container container = container();
        Map<String, ?> requests = container.getResources().getRequests();
        Map<String, ?> limits = container.getResources().getLimits();
        assertTrue(requests.containsKey("cpu") && requests.containsKey("memory"), "requests: " + requests);
        assertTrue(limits.containsKey("cpu") && limits.containsKey("memory"), "limits: " + limits);
        String javaOpts = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS_APPEND"))
                .findFirst().orElseThrow().getValue();
        assertTrue(javaOpts.contains("-XX:MaxRAMPercentage="), "heap sized from the container limit: " + javaOpts);
        // One event loop per core the pod may use: more loops than cores only add thread switches.
        String eventLoops = container.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE"))
                .findFirst().orElseThrow().getValue();
        assertEquals(limits.get("cpu").toString(), eventLoops, "event loops = CPU limit");
    }

    @Test
    void runsHardened() {
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(185L, pod.getSecurityContext().getRunAsUser());
        var security = container().getSecurityContext();
        assertTrue(security.getRunAsNonRoot());
        assertTrue(security.getReadOnlyRootFilesystem());
        assertFalse(security.getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), "the seccomp profile the README promises");
        assertTrue(container().getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                "a writable /tmp on a read-only root");
    }

    @Test
    void rollsOutWithoutLosingCapacity() {
        Deployment deployment = deployment();
        assertTrue(deployment.getSpec().getReplicas() >= 2);
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
        var rollingUpdate = deployment.getSpec().getStrategy().getRollingUpdate();
        assertEquals(new IntOrString(0), rollingUpdate.getMaxUnavailable(), "never below the desired replicas during a rollout");
        assertEquals(new IntOrString(1), rollingUpdate.getMaxSurge(), "one new pod at a time, as an integer");
        assertFalse(deployment.getSpec().getSelector().getMatchLabels().containsKey("app.kubernetes.io/version"),
                "selectors stay the same across releases");
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals("/q/metrics", annotations.get("prometheus.io/path"));
    }

    @Test
    void noAnnotationOrLabelCarriesAPathOfTheMachineThatBuiltIt() {
        String home = System.getProperty("user.home");
        String project = Path.of("").toAbsolutePath().toString();
        List<String> local = new ArrayList<>();
        for (HasMetadata resource : resources) {
            List<Map<String, String>> maps = new ArrayList<>();
            maps.add(resource.getMetadata().getAnnotations());
            maps.add(resource.getMetadata().getLabels());
            if (resource instanceof Deployment deployment) {
                maps.add(deployment.getSpec().getTemplate().getMetadata().getAnnotations());
                maps.add(deployment.getSpec().getTemplate().getMetadata().getLabels());
            }
            maps.stream().filter(Objects::nonNull).flatMap(map -> map.entrySet().stream())
                    .filter(entry -> entry.getValue() != null && (localPath(entry.getValue())
                            || entry.getValue().contains(project) || entry.getValue().contains(home)
                            || entry.getKey().endsWith("vcs-uri") && !entry.getValue().startsWith("https://")))
                    .forEach(entry -> local.add(resource.getKind() + " " + entry.getKey() + "=" + entry.getValue()));
        }
        assertEquals(List.of(), local, "a local path in " + MANIFEST);
    }

    /** A file URL, or an absolute path that names a file or directory of this machine (not a URL path as /q/metrics). */
    private static boolean localPath(String value) {
        return value.startsWith("file:") || value.startsWith("/") && Files.exists(Path.of(value));
    }

    @Test
    void everyObjectPassesTheChecksOfTheApiServer() throws IOException {
        List<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class)
                .<JsonNode> readValues(Files.readString(MANIFEST)).readAll().stream().filter(d -> d != null && !d.isEmpty())
                .toList();
        assertEquals(resources.size(), documents.size(), "one typed object per YAML document");
        for (int i = 0; i < resources.size(); i++) {
            HasMetadata resource = resources.get(i);
            assertEquals(resource.getKind(), documents.get(i).path("kind").asText());
            if (!(resource instanceof GenericKubernetesResource)) {
                assertEquals(List.of(), ApiServerRules.violations(resource, documents.get(i)), resource.getKind());
            }
        }
    }

    @Test
    void validationRefusesAStringCountThatIsNotAPercentage() throws IOException {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  replicas: "2"
                  strategy:
                    rollingUpdate:
                      maxSurge: "1"
                      maxUnavailable: 25%
                  template:
                    spec:
                      containers:
                        - name: app
                          ports:
                            - containerPort: 8080
                              name: http
                          readinessProbe:
                            httpGet:
                              port: http
                          unknownField: true
                """;
        List<String> violations = ApiServerRules.violations(Serialization.unmarshal(yaml, Deployment.class),
                new YAMLMapper().readTree(yaml));
        assertEquals(3, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("Deployment.spec.replicas: string"), violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("maxSurge: \"1\" is a string, so it must be a percentage")),
                violations.toString());
        assertTrue(violations.stream().anyMatch(v -> v.contains("unknown field(s) [unknownField]")), violations.toString());
    }

    @Test
    void terminationGracePeriodCoversTheShutdownDelayAndTimeout() throws IOException {
        Properties config = new Properties();
        try (var in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            config.load(in);
        }
        long delay = seconds(config.getProperty("quarkus.shutdown.delay"));
        long timeout = seconds(config.getProperty("quarkus.shutdown.timeout"));
        long drain = seconds(config.getProperty("gateway.shutdown.stream-drain"));
        assertTrue(drain < timeout, "streams end before Quarkus stops waiting for requests");
        Long grace = deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertNotNull(grace, "terminationGracePeriodSeconds is set");
        assertTrue(grace >= delay + timeout, "Kubernetes waits " + grace + " s before SIGKILL, the gateway needs "
                + delay + " s delay + " + timeout + " s drain");
    }

    private static long seconds(String duration) {
        assertNotNull(duration, "a shutdown duration in application.properties");
        assertTrue(duration.matches("[0-9]+s"), "whole seconds: " + duration);
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }

    @Test
    void serviceMonitoringDisruptionBudgetAndAutoscalerAreGenerated() {
        Service service = service("mistral-gateway");
        assertEquals("mistral-gateway", service.getSpec().getSelector().get("app.kubernetes.io/name"));
        assertEquals(List.of(8080), service.getSpec().getPorts().stream().map(p -> p.getTargetPort().getIntVal()).toList(),
                "the Service clients use carries the API port only: metrics show key names and spend");
        Service management = service("mistral-gateway-management");
        assertEquals("management", management.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertTrue(container().getPorts().stream()
                .anyMatch(port -> "management".equals(port.getName()) && port.getContainerPort() == 9000));
        GenericKubernetesResource monitor = one(GenericKubernetesResource.class, "ServiceMonitor");
        assertTrue(Serialization.asYaml(monitor).contains("/q/metrics"));
        assertEquals(Map.of("app.kubernetes.io/name", "mistral-gateway", "app.kubernetes.io/component", "management"),
                monitor.get("spec", "selector", "matchLabels"), "scrapes the gateway's management Service only");
        assertEquals(management.getMetadata().getLabels().get("app.kubernetes.io/component"), "management");
        assertEquals("management", ((List<?>) monitor.get("spec", "endpoints")).stream()
                .map(endpoint -> ((Map<?, ?>) endpoint).get("port")).findFirst().orElseThrow());
        GenericKubernetesResource rules = one(GenericKubernetesResource.class, "PrometheusRule");
        assertTrue(Serialization.asYaml(rules).contains("MistralApiDown"));
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, "PodDisruptionBudget");
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
        HorizontalPodAutoscaler hpa = one(HorizontalPodAutoscaler.class, "HorizontalPodAutoscaler");
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(2, hpa.getSpec().getMinReplicas());
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
    }

    private static String readManifest() {
        try {
            return Files.readString(MANIFEST);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
