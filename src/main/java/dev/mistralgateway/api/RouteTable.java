package dev.mistralgateway.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.mistralgateway.config.GatewayConfig;

/**
 * The one table of the gateway's paths: which endpoint each is, and which are public. Deny by default: a path that
 * is not listed as public needs a gateway key, whatever serves it, so a route added later is protected without
 * anyone listing it. Paths are matched in canonical form only ({@link CanonicalPath}); a trailing slash is
 * tolerated, as the router tolerates it.
 */
@Singleton
public class RouteTable {

    /** Mistral's API and the gateway's simple chat path: each needs a key. */
    static final List<Route> API = List.of(
            new Route("/api/chat", "chat", false),
            new Route("/v1/chat/completions", "chat", false),
            new Route("/v1/embeddings", "embeddings", false),
            new Route("/v1/models", "models", false));

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
        return route != null ? route : Route.unknown();
    }

    /** Every route the table lists, public or not. */
    public List<Route> all() {
        return List.copyOf(routes.values());
    }
}
