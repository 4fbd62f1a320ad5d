package dev.mistralgateway.api;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import dev.mistralgateway.mistral.MistralApiException;
import dev.mistralgateway.mistral.MistralCancelledException;
import dev.mistralgateway.mistral.MistralException;
import dev.mistralgateway.mistral.MistralProtocolException;
import dev.mistralgateway.mistral.MistralTimeoutException;
import dev.mistralgateway.resilience.CircuitBreakerStatus;

/**
 * How a failed Mistral call looks to the gateway's client: Mistral's 4xx pass through with Mistral's status and
 * message (the request was at fault), its 5xx become 502, timeouts 504, broken connections and bodies 502, and an
 * open circuit 503 with the seconds until the breaker lets a call through again.
 */
@ApplicationScoped
public class UpstreamErrors {

    private final CircuitBreakerStatus breaker;

    UpstreamErrors(CircuitBreakerStatus breaker) {
        this.breaker = breaker;
    }

    /** The client's view of a failure of the Mistral call, or null if it is not one. */
    public ApiException toApi(Throwable failure) {
        if (failure instanceof CircuitBreakerOpenException) {
            Duration wait = breaker.untilHalfOpen();
            return new ApiException(503, "circuit_open", "Mistral is failing, so the gateway's circuit breaker is open"
                    + " and refuses calls for " + RetryAfter.seconds(wait) + " s", wait.isZero() ? Duration.ofSeconds(1) : wait);
        }
        if (failure instanceof TimeoutException || failure instanceof MistralTimeoutException) {
            return new ApiException(504, "upstream_timeout", "Mistral did not answer in time", null);
        }
        if (failure instanceof MistralApiException api) {
            int status = api.status();
            if (status >= 500) {
                return new ApiException(502, "upstream_error",
                        "Mistral failed with HTTP " + status + ": " + api.upstreamMessage(), api.retryAfter().orElse(null));
            }
            String message = status == 401 || status == 403
                    ? "Mistral rejected the gateway's API key (HTTP " + status + "): " + api.upstreamMessage()
                    : api.upstreamMessage();
            return new ApiException(status, typeOf(status), message, api.retryAfter().orElse(null));
        }
        if (failure instanceof MistralCancelledException) {
            // 499 "client closed request" (nginx's code): nobody reads it, but it is no failure of the gateway or Mistral.
            return new ApiException(499, "client_closed_request", failure.getMessage(), null);
        }
        if (failure instanceof MistralProtocolException) {
            return new ApiException(502, "upstream_invalid_response", failure.getMessage(), null);
        }
        if (failure instanceof MistralException) {
            return new ApiException(502, "upstream_unavailable", failure.getMessage(), null);
        }
        return null;
    }

    private static String typeOf(int status) {
        return switch (status) {
            case 401, 403 -> "upstream_authentication_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> "invalid_request_error";
        };
    }
}
