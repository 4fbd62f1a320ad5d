package dev.mistralgateway.mistral;

import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CustomBackoff;
import io.smallrye.faulttolerance.api.RetryWhen;
import io.smallrye.mutiny.Uni;

/**
 * The fault tolerance of every Mistral call, as SmallRye Fault Tolerance's annotations on one method: retry (429/5xx,
 * with Retry-After) around one named circuit breaker around a timeout. One method, so chat, streams (up to their first
 * event), embeddings, the other inference endpoints and transcriptions feed and obey the same breaker (SmallRye refuses
 * one breaker name on two methods). The annotations hold the defaults; operators change them with FT's own keys,
 * {@code quarkus.fault-tolerance."dev.mistralgateway.mistral.MistralGuard/call".circuit-breaker.delay} and so on
 * (src/docs/configuration.md).
 * <p>
 * Which failures count is decided here, inside the breaker, by the one classification ({@link MistralException}): a
 * failure that is not an outage (Mistral's 4xx, a cancelled call) leaves the guard wrapped in {@link NotAnOutage},
 * which the breaker skips; {@link MistralClient} unwraps it. {@code @Timeout} is the outer bound of an attempt: it
 * cannot cancel the attempt it gives up on, so {@link MistralClient} bounds each attempt below it with
 * {@code mistral.timeout.read} (which does cancel), and this timeout is set above that.
 */
@Singleton
public class MistralGuard {

    /** The one breaker in front of Mistral, for {@code CircuitBreakerMaintenance}. */
    public static final String BREAKER = "mistral";
    /** Defaults of the breaker's open time (the seed's 60 s), also read by the breaker status. */
    public static final long BREAKER_DELAY = 60;
    public static final ChronoUnit BREAKER_DELAY_UNIT = ChronoUnit.SECONDS;
    /** The FT configuration key prefix of this guard's values. */
    public static final String CONFIG_PREFIX = "quarkus.fault-tolerance.\"dev.mistralgateway.mistral.MistralGuard/call\".";

    @Retry(maxRetries = 2, delay = 250, delayUnit = ChronoUnit.MILLIS, jitter = 0,
            maxDuration = 90, durationUnit = ChronoUnit.SECONDS)
    @RetryWhen(exception = Retryable.class)
    @CustomBackoff(RetryAfterBackoff.class)
    @CircuitBreaker(requestVolumeThreshold = 5, failureRatio = 1.0, delay = BREAKER_DELAY,
            delayUnit = ChronoUnit.SECONDS, successThreshold = 1, skipOn = NotAnOutage.class)
    @CircuitBreakerName(BREAKER)
    @Timeout(value = 65, unit = ChronoUnit.SECONDS)
    public <T> Uni<T> call(Supplier<Uni<T>> attempt) {
        return Uni.createFrom().deferred(attempt::get)
                .onFailure(failure -> !MistralException.of(failure).isOutage()).transform(NotAnOutage::new);
    }

    /** Retries what {@link MistralException#isRetryable()} says is worth another attempt. */
    public static final class Retryable implements Predicate<Throwable> {
        @Override
        public boolean test(Throwable failure) {
            return MistralException.of(failure).isRetryable();
        }
    }

    /** Carries a failure that is the request's, not Mistral's, past the breaker, which counts it as a success. */
    public static final class NotAnOutage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAnOutage(Throwable failure) {
            super(failure.getMessage(), failure, false, false);
        }
    }
}
