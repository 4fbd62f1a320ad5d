package dev.mistralgateway.health;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.mistralgateway.mistral.UpstreamKeys;

/**
 * The health of the Mistral upstream as {@code /health} reports it: {@code status} is healthy, degraded or unhealthy;
 * {@code error} says why when it is not healthy; {@code upstreamKeys} the state of each Mistral key, by name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthReport(String status, String provider, Long latencyMs, String model, String error, String checkedAt,
        String circuitBreaker, List<UpstreamKeys.KeyStatus> upstreamKeys) {

    public static final String HEALTHY = "healthy";
    public static final String DEGRADED = "degraded";
    public static final String UNHEALTHY = "unhealthy";

    public boolean unhealthy() {
        return UNHEALTHY.equals(status);
    }
}
