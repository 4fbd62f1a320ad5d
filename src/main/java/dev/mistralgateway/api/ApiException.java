package dev.mistralgateway.api;

import java.time.Duration;

import dev.mistralgateway.metrics.ErrorReason;

/**
 * A request the gateway answers with an error of its own: bad input (4xx) or an upstream outcome it translates.
 * {@link ErrorResponses} renders it as {@code {"error":{"type":...,"message":...}}}.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final Duration retryAfter;
    private final ErrorReason reason;
    private final boolean closesConnection;

    public ApiException(int status, String type, String message, Duration retryAfter) {
        this(status, type, message, retryAfter, ErrorReason.INVALID_REQUEST);
    }

    private ApiException(int status, String type, String message, Duration retryAfter, ErrorReason reason) {
        this(status, type, message, retryAfter, reason, status == 413);
    }

    private ApiException(int status, String type, String message, Duration retryAfter, ErrorReason reason,
            boolean closesConnection) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.retryAfter = retryAfter;
        this.reason = reason;
        this.closesConnection = closesConnection;
    }

    /** 400 with type {@code invalid_request_error}: the message says what to fix. */
    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request_error", message, null);
    }

    /** 429: the gateway's own hourly budget is spent; unlike Mistral's 429, waiting {@code retryAfter} is enough. */
    public static ApiException budgetExhausted(String message, Duration retryAfter) {
        return new ApiException(429, "budget_exhausted", message, retryAfter, ErrorReason.BUDGET_EXHAUSTED);
    }

    /** 429: the client key spent a USD budget of its own ({@code gateway.keys."<name>".budget.*}). */
    public static ApiException keyBudgetExhausted(String message, Duration retryAfter) {
        return new ApiException(429, "key_budget_exhausted", message, retryAfter, ErrorReason.KEY_BUDGET_EXHAUSTED);
    }

    /** 503: the shared state store (Redis) failed and {@code gateway.state.on-failure=deny}. */
    public static ApiException stateUnavailable(Duration retryAfter) {
        return new ApiException(503, "state_store_unavailable", "The gateway cannot check its shared limits and"
                + " budget right now; retry in " + RetryAfter.seconds(retryAfter) + " s", retryAfter);
    }

    /** 401: no key, or not one of the gateway's keys. */
    public static ApiException unauthenticated(String message) {
        return new ApiException(401, "authentication_error", message, null, ErrorReason.UNAUTHENTICATED);
    }

    /** 429: this client key used up its own allowance (not Mistral's). */
    public static ApiException keyLimited(String message, Duration retryAfter) {
        return new ApiException(429, "key_rate_limited", message, retryAfter, ErrorReason.KEY_RATE_LIMITED);
    }

    /** 429: this client address failed to authenticate too often; its key is not even looked at. */
    public static ApiException authThrottled(Duration retryAfter) {
        return new ApiException(429, "authentication_throttled", "Too many failed authentications from this address;"
                + " retry in " + RetryAfter.seconds(retryAfter) + " s", retryAfter, ErrorReason.AUTH_THROTTLED);
    }

    /**
     * 400 for a request whose framing is ambiguous (RFC 9112 §6.1), or that brings a body where none is taken: the
     * bytes after it cannot be trusted to be the next request, so the connection is closed after the answer.
     */
    public static ApiException badFraming(String message) {
        return new ApiException(400, "invalid_request_error", message, null, ErrorReason.INVALID_REQUEST, true);
    }

    /** 413: the body is over the size limit of {@code maxBytes}. */
    public static ApiException tooLarge(long maxBytes) {
        String message = "Request body is larger than the gateway's limit of " + maxBytes + " bytes";
        return new ApiException(413, "request_too_large", message, null, ErrorReason.INVALID_REQUEST);
    }

    /** 404 with type {@code not_found_error}: the message names what the gateway does serve. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found_error", message, null);
    }

    /** Echo at most 100 printable characters of a client's string back in an error. */
    public static String printable(String value) {
        String cleaned = value.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() <= 100 ? cleaned : cleaned.substring(0, 100) + "…";
    }

    /** Why the gateway refused, for {@code mistral_errors_total} when it refused on its own. */
    public ErrorReason reason() {
        return reason;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** Whether the connection must be closed after the answer: what follows on it cannot be read as a request. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** Seconds until a retry can succeed, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
