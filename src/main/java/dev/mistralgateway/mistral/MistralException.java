package dev.mistralgateway.mistral;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.mistralgateway.metrics.ErrorReason;

/**
 * A failed call to Mistral, classified once. Each kind says what the rest of the gateway needs to know: its reason
 * label in {@code mistral_errors_total}, whether it is an outage (the breaker counts it, a fallback model is worth
 * trying), whether another attempt is worth it, and how the gateway's client sees it. Nobody else tells failures apart
 * by type; {@link #of} turns any failure of a call (fault tolerance's own included) into one of these kinds.
 */
public abstract sealed class MistralException extends RuntimeException permits MistralApiException,
        MistralTimeoutException, MistralConnectionException, MistralProtocolException, MistralCancelledException,
        MistralCircuitOpenException, MistralUnrepeatableException {

    private static final long serialVersionUID = 1L;

    protected MistralException(String message, Throwable cause) {
        // No stack trace: these are expected outcomes of a remote call, and traces only fill logs.
        super(message, cause, false, false);
    }

    /** The {@code reason} label of {@code mistral_errors_total}; null when the failure is not an error at all. */
    public abstract ErrorReason reason();

    /** The {@code status} label of {@code mistral_errors_total}: Mistral's HTTP status, "none" without an answer. */
    public String statusLabel() {
        return "none";
    }

    /** Mistral is down or overloaded (not: the request was bad): the breaker counts it, a fallback model is worth it. */
    public abstract boolean isOutage();

    /** Worth another attempt within the request's time budget. */
    public boolean isRetryable() {
        return false;
    }

    /** The HTTP status the gateway answers its client with. */
    public abstract int clientStatus();

    /** The {@code error.type} of the gateway's answer. */
    public abstract String clientType();

    /** The {@code error.message} of the gateway's answer: our words, and Mistral's message where it sent one. */
    public String clientMessage() {
        return getMessage();
    }

    /** How long to wait before trying again, when it is known (the client's Retry-After). */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }

    /** How long the gateway's own next attempt waits, when it is known: {@link #retryAfter()} unless said otherwise. */
    public Optional<Duration> retryDelay() {
        return retryAfter();
    }

    /**
     * The kind of any failure of a call to Mistral, by the types along its cause chain (never by names); messages are
     * our own, so nothing from the request or the key leaks. A connect timeout (Netty's {@code ConnectTimeoutException}
     * is a {@link ConnectException}) is a connection failure, a read timeout ({@link TimeoutException}, or fault
     * tolerance's own) a timeout, an open breaker its own kind.
     */
    public static MistralException of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MistralException known) {
                return known;
            }
            if (cause instanceof CircuitBreakerOpenException) {
                return new MistralCircuitOpenException(failure);
            }
            if (cause instanceof ConnectException) {
                return new MistralConnectionException("Could not connect to Mistral", failure);
            }
            if (cause instanceof TimeoutException
                    || cause instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
                return new MistralTimeoutException("Mistral did not answer in time", failure);
            }
            if (cause instanceof JsonProcessingException) {
                return new MistralProtocolException("Mistral answered with a body that is not valid JSON", failure);
            }
        }
        return new MistralConnectionException("The connection to Mistral failed (" + failure.getClass().getSimpleName() + ")",
                failure);
    }
}
