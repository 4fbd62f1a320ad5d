package dev.mistralgateway.metrics;

import java.util.Locale;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import dev.mistralgateway.mistral.MistralApiException;
import dev.mistralgateway.mistral.MistralConnectionException;
import dev.mistralgateway.mistral.MistralProtocolException;
import dev.mistralgateway.mistral.MistralTimeoutException;

/** The {@code reason} label of {@code mistral_errors_total}: a small fixed set the alert rules rely on. */
public enum ErrorReason {
    SERVER_ERROR, RATE_LIMITED, AUTH, TIMEOUT, CONNECTION, INVALID_RESPONSE, INVALID_REQUEST, CIRCUIT_OPEN,
    BUDGET_EXHAUSTED,
    /** A client without a valid gateway key: not Mistral's 401, so the auth alert does not page for it. */
    UNAUTHENTICATED,
    /** A client key over its own per-key limits: not Mistral's 429. */
    KEY_RATE_LIMITED,
    /** A client address refused for too many failed authentications. */
    AUTH_THROTTLED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason for a failed call to Mistral, or null when the failure is not one. */
    public static ErrorReason of(Throwable failure) {
        if (failure instanceof MistralApiException api) {
            int status = api.status();
            if (status >= 500) {
                return SERVER_ERROR;
            }
            return switch (status) {
                case 429 -> RATE_LIMITED;
                case 401, 403 -> AUTH;
                default -> INVALID_REQUEST;
            };
        }
        if (failure instanceof MistralTimeoutException || failure instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (failure instanceof MistralConnectionException) {
            return CONNECTION;
        }
        if (failure instanceof MistralProtocolException) {
            return INVALID_RESPONSE;
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return CIRCUIT_OPEN;
        }
        return null;
    }

    /** The status label for a failure: Mistral's HTTP status, or "none" when there was no HTTP answer. */
    public static String statusOf(Throwable failure) {
        return failure instanceof MistralApiException api ? String.valueOf(api.status()) : "none";
    }
}
