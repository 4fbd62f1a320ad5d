package dev.mistralgateway.health;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.mistralgateway.api.RetryAfter;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.mistral.UpstreamKeys;
import dev.mistralgateway.resilience.CircuitBreakerStatus;
import dev.mistralgateway.state.FailoverStateStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The cached health of Mistral: the last probe's result combined with the circuit breaker's state. Every health
 * endpoint reads it; none of them calls Mistral.
 */
@ApplicationScoped
public class MistralHealth {

    private static final Logger LOG = Logger.getLogger(MistralHealth.class);
    private static final List<String> STATUS_VALUES = List.of(HealthReport.HEALTHY, HealthReport.DEGRADED,
            HealthReport.UNHEALTHY);

    private final AtomicReference<ProbeResult> last = new AtomicReference<>();
    private final CircuitBreakerStatus breaker;
    private final SpendMeter spend;
    private final FailoverStateStore sharedState;
    private final UpstreamKeys keys;
    private final long degradedThresholdMs;

    MistralHealth(CircuitBreakerStatus breaker, SpendMeter spend, FailoverStateStore state, UpstreamKeys keys,
            MistralConfig config, MeterRegistry registry) {
        this.breaker = breaker;
        this.keys = keys;
        this.spend = spend;
        this.sharedState = state;
        this.degradedThresholdMs = config.health().degradedThreshold().toMillis();
        Gauge.builder("mistral.health.status", this, health -> STATUS_VALUES.indexOf(health.report().status()))
                .description("Health of Mistral as /health reports it: 0 healthy, 1 degraded, 2 unhealthy")
                .register(registry);
        Gauge.builder("mistral.health.probe.latency.seconds", this,
                health -> health.last.get() == null ? Double.NaN : health.last.get().latencyMs() / 1000.0)
                .description("Latency of the last health probe of Mistral").register(registry);
    }

    void record(ProbeResult result) {
        ProbeResult previous = last.getAndSet(result);
        if (result.credentialsRejected() && (previous == null || !previous.credentialsRejected())) {
            LOG.errorf("Mistral rejected the gateway's API key (HTTP %d), every one it has: check MISTRAL_API_KEY /"
                    + " MISTRAL_API_KEYS. The gateway reports unhealthy and not ready until a probe succeeds.",
                    result.httpStatus());
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
                    "No probe of Mistral has completed yet", null, circuit, keys.statuses());
        }
        String status;
        String error = null;
        List<String> rejected = keys.rejected();
        if (!probe.succeeded()) {
            status = HealthReport.UNHEALTHY;
            error = probe.error();
        } else if (state == CircuitBreakerStatus.State.OPEN) {
            status = HealthReport.UNHEALTHY;
            error = "Circuit breaker open: recent calls to Mistral failed; next trial in "
                    + RetryAfter.seconds(breaker.untilHalfOpen()) + " s";
        } else if (state == CircuitBreakerStatus.State.HALF_OPEN) {
            status = HealthReport.DEGRADED;
            error = "Circuit breaker half-open: the next call to Mistral is a trial";
        } else if (!rejected.isEmpty() && rejected.size() < keys.size()) {
            status = HealthReport.DEGRADED;
            error = "Mistral rejected upstream key(s) " + String.join(", ", rejected) + " (401/403): out of rotation;"
                    + " the other key(s) serve";
        } else if (probe.latencyMs() > degradedThresholdMs) {
            status = HealthReport.DEGRADED;
            error = "Mistral answered in " + probe.latencyMs() + " ms, over the " + degradedThresholdMs + " ms threshold";
        } else if (sharedState.problem().isPresent()) {
            status = HealthReport.DEGRADED;
            error = sharedState.problem().get();
        } else if (spend.budgetExhausted().isPresent()) {
            status = HealthReport.DEGRADED;
            error = "Hourly budget exhausted: new chat requests get 429 until spend falls under the budget";
        } else {
            status = HealthReport.HEALTHY;
        }
        return new HealthReport(status, "mistral", probe.latencyMs(), probe.model(), error, probe.checkedAt().toString(),
                circuit, keys.statuses());
    }
}
