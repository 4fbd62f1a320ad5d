package dev.mistralgateway.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.mistralgateway.config.GatewayConfig;

/**
 * The one table of the gateway's paths: which endpoint each is, which are public, and which body limit each has
 * ({@link Route.Body}: JSON bodies share one, an upload has its own). Deny by default: a path that
 * is not listed as public needs a gateway key, whatever serves it, so a route added later is protected without
 * anyone listing it. Paths are matched in canonical form only ({@link CanonicalPath}); a trailing slash is
 * tolerated, as the router tolerates it.
 */
@Singleton
public class RouteTable {

    /** Mistral's audio transcription: an upload, with a body limit of its own. */
    public static final String TRANSCRIPTIONS = "/v1/audio/transcriptions";

    /** Mistral's API and the gateway's simple chat path: each needs a key. */
    static final List<Route> API = List.of(
            new Route("/api/chat", "chat", false),
            new Route("/v1/chat/completions", "chat", false),
            new Route("/v1/embeddings", "embeddings", false),
            new Route("/v1/models", "models", false),
            new Route("/v1/fim/completions", "fim", false),
            new Route("/v1/agents/completions", "agents", false),
            new Route("/v1/moderations", "moderations", false),
            new Route("/v1/chat/moderations", "chat_moderations", false),
            new Route("/v1/classifications", "classifications", false),
            new Route("/v1/chat/classifications", "chat_classifications", false),
            new Route("/v1/ocr", "ocr", false),
            new Route(TRANSCRIPTIONS, "transcriptions", false, Route.Body.UPLOAD));

    /**
     * Paths with a variable last segment: the route's path is the template, so metrics' {@code uri} label stays
     * bounded whatever ids clients send.
     */
    static final List<Route> TEMPLATES = List.of(new Route("/v1/models/{id}", "models", false));

    /** The gateway's own health summary: open to load balancers and the canary script. */
    static final Route HEALTH = new Route("/health", "health", true);

    /**
     * Open to probes without a key, in a build that serves them on the API port. The shipped build serves them (and
     * metrics) on the management interface, whose port this table does not guard, and keeps them closed here.
     */
    static final List<Route> PROBES = List.of(
            new Route("/q/health", "health", true),
            new Route("/q/health/live", "health", true),
            new Route("/q/health/ready", "health", true),
            new Route("/q/health/started", "health", true));

    static final Route METRICS = new Route("/q/metrics", "metrics", true);

    private final Map<String, Route> routes = new HashMap<>();

    RouteTable(GatewayConfig config,
            @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false") boolean managementInterface) {
        API.forEach(route -> routes.put(route.path(), route));
        routes.put(HEALTH.path(), HEALTH);
        if (!managementInterface) {
            PROBES.forEach(route -> routes.put(route.path(), route));
        }
        if (!managementInterface && config.auth().publicMetrics()) {
            routes.put(METRICS.path(), METRICS);
        }
    }

    /** The route of a canonical path; {@link Route#unknown()} for any path the table does not list. */
    public Route route(String canonicalPath) {
        String path = canonicalPath.length() > 1 && canonicalPath.endsWith("/")
                ? canonicalPath.substring(0, canonicalPath.length() - 1)
                : canonicalPath;
        Route route = routes.get(path);
        if (route != null) {
            return route;
        }
        int last = path.lastIndexOf('/');
        for (Route template : TEMPLATES) {
            if (last > 0 && last < path.length() - 1 && template.path().startsWith(path.substring(0, last + 1))
                    && template.path().indexOf('/', last + 1) < 0) {
                return template;
            }
        }
        return Route.unknown();
    }

    /** The paths of Mistral's API the gateway serves, for the 404 of any other {@code /v1/} path. */
    public static String supportedApiPaths() {
        List<String> paths = new ArrayList<>();
        API.stream().map(Route::path).filter(path -> path.startsWith("/v1/")).forEach(paths::add);
        TEMPLATES.forEach(route -> paths.add(route.path()));
        return String.join(", ", paths);
    }

    /** Every route the table lists, public or not, templates included. */
    public List<Route> all() {
        List<Route> all = new ArrayList<>(routes.values());
        all.addAll(TEMPLATES);
        return List.copyOf(all);
    }
}
