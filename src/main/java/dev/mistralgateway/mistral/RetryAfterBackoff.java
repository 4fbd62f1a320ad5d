package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Delay before each retry of one request ({@link MistralGuard}'s {@code @CustomBackoff}): none when another upstream
 * key can take it ({@link UpstreamKeys}), else Mistral's Retry-After when it sent one, otherwise exponential backoff
 * from {@code @Retry}'s delay with jitter, capped by
 * {@code mistral.retry.max-delay}. A delay that would not leave the request time for another attempt (within
 * {@code mistral.timeout.request}) is not waited: the failure is returned at once (SmallRye checks the retry budget
 * only after sleeping). SmallRye makes one per call, by its public no-argument constructor; the configuration is read
 * only when a retry comes, so calls that need none pay nothing for it.
 */
public final class RetryAfterBackoff implements CustomBackoffStrategy {

    private final long startNanos = System.nanoTime();
    private long initialDelayMillis;
    private int retries;

    @Override
    public void init(long initialDelayInMillis) {
        this.initialDelayMillis = initialDelayInMillis;
    }

    @Override
    public long nextDelayInMillis(Throwable failure) {
        long maxDelayMillis = setting("mistral.retry.max-delay", "4s");
        long budgetMillis = setting("mistral.timeout.request", "90s");
        long delay = MistralException.of(failure).retryDelay().map(Duration::toMillis)
                .orElseGet(() -> jittered(Math.min(maxDelayMillis, initialDelayMillis << Math.min(retries, 20))));
        retries++;
        long remaining = budgetMillis - (System.nanoTime() - startNanos) / 1_000_000;
        if (delay >= remaining && failure instanceof RuntimeException unchecked) {
            // Throwing here ends the retries with the original failure, before waiting in vain.
            throw unchecked;
        }
        return delay;
    }

    private static long setting(String key, String otherwise) {
        return ConfigProvider.getConfig().getOptionalValue(key, Duration.class)
                .orElseGet(() -> Duration.parse("PT" + otherwise.toUpperCase(java.util.Locale.ROOT))).toMillis();
    }

    /** Equal jitter: half the delay fixed, half random, so retries of many clients spread out. */
    private static long jittered(long delay) {
        long half = delay / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }
}
