package dev.mistralgateway.resilience;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.mistralgateway.mistral.MistralException;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Delay before each retry of one request: Mistral's Retry-After when it sent one, otherwise exponential backoff
 * with jitter. A delay that would not leave the request time for another attempt is not waited: the failure is
 * returned at once (SmallRye checks the retry budget only after sleeping).
 */
final class RetryAfterBackoff implements CustomBackoffStrategy {

    private final long initialDelayMillis;
    private final long maxDelayMillis;
    private final long budgetMillis;
    private final long startNanos = System.nanoTime();
    private int retries;

    RetryAfterBackoff(Duration initialDelay, Duration maxDelay, Duration budget) {
        this.initialDelayMillis = initialDelay.toMillis();
        this.maxDelayMillis = maxDelay.toMillis();
        this.budgetMillis = budget.toMillis();
    }

    @Override
    public long nextDelayInMillis(Throwable failure) {
        long delay = MistralException.of(failure).retryAfter().map(Duration::toMillis)
                .orElseGet(() -> jittered(Math.min(maxDelayMillis, initialDelayMillis << Math.min(retries, 20))));
        retries++;
        long remaining = budgetMillis - (System.nanoTime() - startNanos) / 1_000_000;
        if (delay >= remaining && failure instanceof RuntimeException unchecked) {
            // Throwing here ends the retries with the original failure, before waiting in vain.
            throw unchecked;
        }
        return delay;
    }

    /** Equal jitter: half the delay fixed, half random, so retries of many clients spread out. */
    private static long jittered(long delay) {
        long half = delay / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }
}
