package dev.mistralgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.AuthProfile;
import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.RouterRoutes;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Deny by default, tried as an attacker would: every path the running application serves, in every spelling a
 * router might accept (trailing slash, dot segments, double slashes, percent-encoded letters, matrix parameters), with
 * no key, by POST and GET. Each answer is 401 (or 400 for a spelling the gateway refuses), and Mistral is never called.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(DenyByDefaultTest.Unthrottled.class)
class DenyByDefaultTest {

    /** Authentication on, without the failed-key throttle: hundreds of keyless requests must each meet the 401. */
    public static class Unthrottled extends AuthProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("gateway.auth.failures-per-minute", "0");
            return overrides;
        }
    }

    private static final String PING = "{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"stream\":true}";
    /** Paths no route serves: deny by default means they need a key too, so an attacker learns nothing from them. */
    private static final List<String> UNLISTED = List.of("/", "/api", "/v1", "/v1/unknown", "/q/openapi", "/q/dev-ui",
            "/q/metrics", "/q/health/ready", "/API/CHAT");

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    /** The spellings of {@code path} that routers have been known to serve as {@code path}. */
    static List<String> variants(String path) {
        Set<String> variants = new LinkedHashSet<>();
        variants.add(path);
        variants.add(path + "/");
        variants.add("/" + path);
        variants.add("/." + path);
        variants.add(path + "/.");
        variants.add(path + ";a");
        variants.add(path + "/;a");
        int second = path.indexOf('/', 1);
        if (second > 0) {
            variants.add(path.substring(0, second) + "/" + path.substring(second));
            variants.add(path.substring(0, second) + "/./" + path.substring(second + 1));
            variants.add(path.substring(0, second) + "/x/../" + path.substring(second + 1));
        }
        char last = path.charAt(path.length() - 1);
        if (Character.isLetterOrDigit(last)) {
            variants.add(path.substring(0, path.length() - 1) + "%" + Integer.toHexString(last).toUpperCase());
            variants.add(path.substring(0, path.length() - 1) + "%" + Integer.toHexString(last));
        }
        return new ArrayList<>(variants);
    }

    @Test
    void everyRouteInEverySpellingNeedsAKeyAndNeverReachesMistral() throws Exception {
        Set<String> served = RouterRoutes.paths();
        assertTrue(served.containsAll(List.of("/api/chat", "/v1/chat/completions", "/v1/embeddings", "/v1/models", "/health")),
                "the application's routes are enumerated from the running application: " + served);
        Set<String> paths = new LinkedHashSet<>();
        // A template's variable (/v1/models/{id}) is tried with an id.
        served.forEach(path -> paths.add(path.replaceAll("\\{[^}]+}", "mistral-small-2506")));
        paths.addAll(UNLISTED);
        StringBuilder matrix = new StringBuilder();
        int requests = 0;
        for (String path : paths) {
            boolean isPublic = path.equals("/health");
            for (String variant : variants(path)) {
                for (String method : List.of("POST", "GET")) {
                    HttpResponse<String> response = send(method, variant);
                    requests++;
                    int status = response.statusCode();
                    boolean canonical = variant.equals(path) || !path.equals("/") && variant.equals(path + "/");
                    if (isPublic && canonical) {
                        assertTrue(status < 500, method + " " + variant + ": " + status);
                        continue;
                    }
                    String expected = canonical ? "401" : "400 or 401";
                    assertTrue(canonical ? status == 401 : status == 400 || status == 401,
                            method + " " + variant + " without a key answered " + status + ", expected " + expected + ": "
                                    + response.body());
                    if (variant.equals("//")) {
                        // Vert.x Web refuses a request target of "//" (no path at all) itself, before any route or
                        // filter: a bare 400, which is as closed as ours.
                        continue;
                    }
                    assertTrue(response.body().contains("\"error\""), method + " " + variant + ": " + response.body());
                    assertNotNull(response.headers().firstValue("X-Request-Id").orElse(null), method + " " + variant);
                    if (method.equals("POST")) {
                        matrix.append(String.format("[deny] %-32s %d%n", variant, status));
                    }
                }
            }
        }
        System.out.print(matrix);
        assertEquals(0, Simulator.upstreamCalls(), "Mistral was called by one of " + requests + " unauthenticated requests");
    }

    @Test
    void onlyHealthIsOpenOnTheApiPortAndProbesAndMetricsAreOnTheManagementPort() throws Exception {
        assertEquals(200, send("GET", "/health").statusCode());
        for (String path : List.of("/q/metrics", "/q/health/ready", "/q/health/live", "/v1/models")) {
            assertEquals(401, send("GET", path).statusCode(), path + " is not open on the API port");
        }
        for (String path : List.of("/q/metrics", "/q/health/ready", "/q/health/live", "/q/health/started", "/q/health")) {
            String body = Management.given().get(path).then().statusCode(200).extract().asString();
            assertFalse(body.contains(AuthProfile.TEAM_A_KEY) || body.contains(Simulator.gatewayMistralKey()), path);
        }
    }

    @Test
    void aPathNoRouteServesNeverBecomesAMetricLabel() throws Exception {
        for (int i = 0; i < 120; i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/label-probe-" + i))
                    .header("Authorization", "Bearer " + AuthProfile.TEAM_A_KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
            send("POST", "/v1/label-probe-" + i + "/..");
        }
        String scrape = Metrics.scrape();
        assertFalse(scrape.contains("label-probe"), "a client's path became a label");
        long uris = scrape.lines().filter(line -> line.startsWith("http_server_requests_seconds_count"))
                .map(line -> line.replaceAll(".*uri=\"([^\"]*)\".*", "$1")).distinct().count();
        assertTrue(uris < 20, uris + " distinct uri labels");
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        request = method.equals("POST")
                ? request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(PING))
                : request.GET();
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + root.getHost() + ":" + root.getPort() + path);
    }
}
