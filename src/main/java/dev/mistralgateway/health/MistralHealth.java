package dev.mistralgateway.health;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.resilience.CircuitBreakerStatus;

/**
 * The cached health of Mistral: the last probe's result combined with the circuit breaker's state. Every health
 * endpoint reads it; none of them calls Mistral.
 */
@ApplicationScoped
public class MistralHealth {

    private static final Logger LOG = Logger.getLogger(MistralHealth.class);

    private final AtomicReference<ProbeResult> last = new AtomicReference<>();
    private final CircuitBreakerStatus breaker;
    private final long degradedThresholdMs;

    MistralHealth(CircuitBreakerStatus breaker, MistralConfig config) {
        this.breaker = breaker;
        this.degradedThresholdMs = config.health().degradedThreshold().toMillis();
    }

    void record(ProbeResult result) {
        ProbeResult previous = last.getAndSet(result);
        if (result.credentialsRejected() && (previous == null || !previous.credentialsRejected())) {
            LOG.errorf("Mistral rejected the gateway's API key (HTTP %d): check MISTRAL_API_KEY. The gateway reports"
                    + " unhealthy and not ready until a probe succeeds.", result.httpStatus());
        } else if (!result.succeeded() && (previous == null || previous.succeeded())) {
            LOG.warnf("Mistral health probe failed: %s", result.error());
        } else if (result.succeeded() && previous != null && !previous.succeeded()) {
            LOG.infof("Mistral health probe succeeded again (%d ms)", result.latencyMs());
        }
    }

    /** The last probe, or null before the first one completed. */
    public ProbeResult lastProbe() {
        return last.get();
    }

    public HealthReport report() {
        ProbeResult probe = last.get();
        CircuitBreakerStatus.State state = breaker.state();
        String circuit = state.label();
        if (probe == null) {
            return new HealthReport(HealthReport.UNHEALTHY, "mistral", null, null,
                    "No probe of Mistral has completed yet", null, circuit);
        }
        String status;
        String error = null;
        if (!probe.succeeded()) {
            status = HealthReport.UNHEALTHY;
            error = probe.error();
        } else if (state == CircuitBreakerStatus.State.OPEN) {
            status = HealthReport.UNHEALTHY;
            error = "Circuit breaker open: recent calls to Mistral failed; next trial in "
                    + Math.max(1, breaker.untilHalfOpen().toSeconds()) + " s";
        } else if (state == CircuitBreakerStatus.State.HALF_OPEN) {
            status = HealthReport.DEGRADED;
            error = "Circuit breaker half-open: the next call to Mistral is a trial";
        } else if (probe.latencyMs() > degradedThresholdMs) {
            status = HealthReport.DEGRADED;
            error = "Mistral answered in " + probe.latencyMs() + " ms, over the " + degradedThresholdMs + " ms threshold";
        } else {
            status = HealthReport.HEALTHY;
        }
        return new HealthReport(status, "mistral", probe.latencyMs(), probe.model(), error, probe.checkedAt().toString(),
                circuit);
    }
}
