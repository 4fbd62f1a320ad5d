package dev.mistralgateway.api;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;

import dev.mistralgateway.mistral.MistralCircuitOpenException;
import dev.mistralgateway.mistral.MistralException;
import dev.mistralgateway.resilience.CircuitBreakerStatus;

/**
 * How a failed Mistral call looks to the gateway's client: Mistral's 4xx pass through with Mistral's status and
 * message (the request was at fault), its 5xx become 502, timeouts 504, broken connections and bodies 502, and an
 * open circuit 503 with the seconds until the breaker lets a call through again.
 */
@Singleton
public class UpstreamErrors {

    private final CircuitBreakerStatus breaker;

    UpstreamErrors(CircuitBreakerStatus breaker) {
        this.breaker = breaker;
    }

    /** The client's view of a failure of the Mistral call (fault tolerance's refusals included), or null if it is not one. */
    public ApiException toApi(Throwable failure) {
        if (!(failure instanceof MistralException || failure instanceof FaultToleranceException)) {
            return null;
        }
        MistralException kind = MistralException.of(failure);
        if (kind instanceof MistralCircuitOpenException) {
            Duration wait = breaker.untilHalfOpen();
            return new ApiException(kind.clientStatus(), kind.clientType(), kind.clientMessage() + " for "
                    + RetryAfter.seconds(wait) + " s", wait.isZero() ? Duration.ofSeconds(1) : wait);
        }
        return new ApiException(kind.clientStatus(), kind.clientType(), kind.clientMessage(), kind.retryAfter().orElse(null));
    }
}
