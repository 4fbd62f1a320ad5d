package dev.mistralgateway.resilience;

import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import dev.mistralgateway.mistral.MistralApiException;
import dev.mistralgateway.mistral.MistralException;

/** Which failures say that Mistral is down or overloaded, as opposed to a request Mistral rightly refused. */
public final class Outages {

    private Outages() {
    }

    /** Counted by the circuit breaker and worth a fallback model: 5xx, 429, timeouts, connection failures. */
    public static boolean isOutage(Throwable failure) {
        return failure instanceof TimeoutException
                || failure instanceof MistralException mistral && mistral.isUpstreamOutage();
    }

    /** Worth retrying: Mistral answered 429 or 5xx. A timeout already used the attempt's whole budget. */
    public static boolean isRetryable(Throwable failure) {
        return failure instanceof MistralApiException api && api.isUpstreamOutage();
    }
}
