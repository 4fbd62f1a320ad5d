package dev.mistralgateway.mistral;

/**
 * A failed call to Mistral. The subclasses tell apart what Mistral said (an HTTP error) from what went wrong on the
 * way (timeout, connection, unreadable response), so resilience can count only the failures that are Mistral's.
 */
public abstract class MistralException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected MistralException(String message, Throwable cause) {
        // No stack trace: these are expected outcomes of a remote call, and traces only fill logs.
        super(message, cause, false, false);
    }

    /** Whether this failure says Mistral is unavailable or overloaded (5xx, 429, timeout, connection), not that the request was bad. */
    public abstract boolean isUpstreamOutage();
}
