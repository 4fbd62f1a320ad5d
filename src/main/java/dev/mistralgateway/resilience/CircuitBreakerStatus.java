package dev.mistralgateway.resilience;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.mistralgateway.mistral.MistralGuard;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.quarkus.runtime.Startup;

/**
 * The state of the Mistral circuit breaker as health checks, error responses and metrics need it. SmallRye moves
 * an open breaker to half-open only when the next call arrives; this reports it half-open as soon as the delay is
 * over, because that is when the next call will be let through. Created at startup, so that it sees every transition
 * of the breaker (the {@code @CircuitBreaker} of {@code mistral.MistralGuard}).
 */
@Singleton
@Startup
public class CircuitBreakerStatus {

    /** The name of the one breaker in front of Mistral, for {@link CircuitBreakerMaintenance}. */
    public static final String NAME = MistralGuard.BREAKER;

    private static final Logger LOG = Logger.getLogger(CircuitBreakerStatus.class);

    /** In the order of the {@code mistral_circuit_breaker_state} gauge's values. */
    public enum State {
        CLOSED("closed"), HALF_OPEN("half-open"), OPEN("open");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** As {@code /health} writes it. */
        public String label() {
            return label;
        }
    }

    private final Duration delay;
    private final MeterRegistry registry;
    private volatile long openedAtNanos = System.nanoTime();

    private final CircuitBreakerMaintenance maintenance;

    private final Gauge gauge;

    /**
     * The injected maintenance is this application's; the static {@code CircuitBreakerMaintenance.get()} answered for
     * another one when the test suite ran applications of several profiles in one JVM.
     */
    CircuitBreakerStatus(Config config, MeterRegistry registry, CircuitBreakerMaintenance maintenance) {
        this.maintenance = maintenance;
        // The breaker's delay as SmallRye reads it: FT's own keys, else the annotation's value.
        long amount = config.getOptionalValue(MistralGuard.CONFIG_PREFIX + "circuit-breaker.delay", Long.class)
                .orElse(MistralGuard.BREAKER_DELAY);
        ChronoUnit unit = config.getOptionalValue(MistralGuard.CONFIG_PREFIX + "circuit-breaker.delay-unit", String.class)
                .map(name -> ChronoUnit.valueOf(name.toUpperCase(Locale.ROOT))).orElse(MistralGuard.BREAKER_DELAY_UNIT);
        this.delay = Duration.of(amount, unit);
        this.registry = registry;
        maintenance.onStateChange(NAME, this::changed);
        this.gauge = Gauge.builder("mistral.circuit.breaker.state", this, status -> status.state().ordinal())
                .description("State of the Mistral circuit breaker: 0 closed, 1 half-open, 2 open")
                .register(registry);
    }

    /**
     * Removes the gauge with the bean: Micrometer keeps a meter per name, so a gauge left behind would go on reading
     * this instance in the next application of the same JVM (the test suite's profiles).
     */
    @PreDestroy
    void close() {
        registry.remove(gauge);
    }

    /** Called by the breaker on every transition. */
    private void changed(CircuitBreakerState state) {
        registry.counter("mistral.circuit.breaker.transitions", "to", state.name().toLowerCase(Locale.ROOT)).increment();
        if (state == CircuitBreakerState.OPEN) {
            openedAtNanos = System.nanoTime();
            LOG.warnf("Mistral circuit breaker opened: calls are refused for %d s", delay.toSeconds());
        } else {
            LOG.infof("Mistral circuit breaker is now %s", state.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    public State state() {
        CircuitBreakerState state;
        try {
            state = maintenance.currentState(NAME);
        } catch (IllegalArgumentException notCreatedYet) {
            return State.CLOSED;
        }
        return switch (state) {
            case CLOSED -> State.CLOSED;
            case HALF_OPEN -> State.HALF_OPEN;
            case OPEN -> untilHalfOpen().isZero() ? State.HALF_OPEN : State.OPEN;
        };
    }

    /** Time until an open breaker lets a trial call through; zero when it is not open. */
    public Duration untilHalfOpen() {
        Duration left = delay.minusNanos(System.nanoTime() - openedAtNanos);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
