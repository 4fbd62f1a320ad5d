package dev.mistralgateway.health;

import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.mistralgateway.config.MistralConfig;

/**
 * Ready unless something is wrong with this pod: no probe completed yet, or Mistral rejected every one of its keys (one
 * rejected key among several degrades {@code /health} but leaves the pod ready: the others serve). A Mistral
 * outage leaves it UP (with {@code status: unhealthy} in its data) unless {@code mistral.health.readiness-follows-upstream}.
 */
@Readiness
@ApplicationScoped
public class MistralReadinessCheck implements HealthCheck {

    private final MistralHealth health;
    private final boolean followsUpstream;

    MistralReadinessCheck(MistralHealth health, MistralConfig config) {
        this.health = health;
        this.followsUpstream = config.health().readinessFollowsUpstream();
    }

    @Override
    public HealthCheckResponse call() {
        ProbeResult probe = health.lastProbe();
        HealthReport report = health.report();
        boolean ready = probe != null && !probe.credentialsRejected() && !(followsUpstream && report.unhealthy());
        return describe(HealthCheckResponse.named("mistral").status(ready), report).build();
    }

    static HealthCheckResponseBuilder describe(HealthCheckResponseBuilder builder, HealthReport report) {
        builder.withData("status", report.status()).withData("circuitBreaker", report.circuitBreaker());
        if (report.latencyMs() != null) {
            builder.withData("latencyMs", report.latencyMs());
        }
        if (report.model() != null) {
            builder.withData("model", report.model());
        }
        if (report.error() != null) {
            builder.withData("error", report.error());
        }
        if (report.upstreamKeys() != null && report.upstreamKeys().size() > 1) {
            builder.withData("upstreamKeys", report.upstreamKeys().stream().map(key -> key.name() + ": " + key.state())
                    .collect(Collectors.joining(", ")));
        }
        return builder;
    }
}
