package dev.mistralgateway.chat;

import java.time.Duration;

/**
 * A request the gateway answers with an error of its own: bad input (4xx) or an upstream outcome it translates.
 * {@link ErrorMappers} renders it as {@code {"error":{"type":...,"message":...}}}.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final Duration retryAfter;

    public ApiException(int status, String type, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.retryAfter = retryAfter;
    }

    /** 400 with type {@code invalid_request_error}: the message says what to fix. */
    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request_error", message, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** Seconds until a retry can succeed, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
