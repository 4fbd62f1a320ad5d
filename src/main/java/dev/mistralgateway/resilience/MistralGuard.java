package dev.mistralgateway.resilience;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.mistral.MistralClient;
import dev.mistralgateway.mistral.MistralException;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * The fault tolerance of every Mistral call, the {@code @Identifier("mistral")} guard that {@code MistralClient} calls
 * around each: retry (429/5xx, with Retry-After) around one shared, named circuit breaker. One guard, so chat, streams
 * and embeddings feed and obey the same breaker; its parameters come from {@link MistralConfig}. The per-attempt timeout is not here but in
 * {@code MistralClient}, below the guard: a guard timeout cannot cancel the attempt it gives up on
 * ({@code mistral.Cancellation} says why), so the attempt held its connection and failed a second time later.
 */
@ApplicationScoped
public class MistralGuard {

    @Produces
    @Singleton
    @Identifier(MistralClient.GUARD)
    Guard guard(MistralConfig config, CircuitBreakerStatus status) {
        MistralConfig.CircuitBreaker breaker = config.circuitBreaker();
        MistralConfig.Retry retry = config.retry();
        return Guard.create()
                .withDescription("Mistral API call")
                .withRetry()
                    .maxRetries(retry.maxRetries())
                    .delay(0, ChronoUnit.MILLIS)
                    .jitter(0, ChronoUnit.MILLIS)
                    .maxDuration(config.timeout().request().toMillis(), ChronoUnit.MILLIS)
                    .whenException(failure -> MistralException.of(failure).isRetryable())
                    .withCustomBackoff()
                        .strategy(() -> new RetryAfterBackoff(retry.initialDelay(), retry.maxDelay(), config.timeout().request()))
                        .done()
                    .done()
                .withCircuitBreaker()
                    .name(CircuitBreakerStatus.NAME)
                    .requestVolumeThreshold(breaker.requestVolumeThreshold())
                    .failureRatio(breaker.failureRatio())
                    .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(breaker.successThreshold())
                    .when(failure -> MistralException.of(failure).isOutage())
                    .onStateChange(status::changed)
                    .done()
                .build();
    }
}
