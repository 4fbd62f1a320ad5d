package dev.mistralgateway.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the {@code uri} label of {@code http_server_requests_seconds} to the route table's paths. {@link RequestChain}
 * names the template of every request it sees, but a request Vert.x refuses before any route runs (a request line and
 * headers without their blank line, then a close) was labelled with its raw path: 120 such requests used up
 * Micrometer's 100 uri labels and later 200s were not recorded at all. Any other value becomes
 * {@value RequestChain#UNKNOWN_TEMPLATE}.
 */
@Singleton
public class UriLabels {

    /** Quarkus' own labels for the root path, 404s and redirects. */
    private static final List<String> QUARKUS_LABELS = List.of("root", "NOT_FOUND", "REDIRECTION");

    @Produces
    @Singleton
    MeterFilter routeTableUrisOnly() {
        Set<String> known = new HashSet<>(QUARKUS_LABELS);
        known.add(RequestChain.UNKNOWN_TEMPLATE);
        known.add(RouteTable.HEALTH.path());
        known.add(RouteTable.METRICS.path());
        RouteTable.API.forEach(route -> known.add(route.path()));
        RouteTable.TEMPLATES.forEach(route -> known.add(route.path()));
        RouteTable.PROBES.forEach(route -> known.add(route.path()));
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("http.server.")) {
                    return id;
                }
                String uri = id.getTag("uri");
                return uri == null || known.contains(uri) ? id
                        : id.replaceTags(id.getTagsAsIterable()).withTag(Tag.of("uri", RequestChain.UNKNOWN_TEMPLATE));
            }
        };
    }
}
