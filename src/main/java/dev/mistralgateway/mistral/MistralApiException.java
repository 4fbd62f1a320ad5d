package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.Optional;

import dev.mistralgateway.metrics.ErrorReason;

/** Mistral answered with a non-2xx status; carries the status, Mistral's own message and its Retry-After. */
public final class MistralApiException extends MistralException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String upstreamMessage;
    private final Duration retryAfter;
    /** A 429 or 401/403 of one upstream key while another key can take the next attempt. */
    private final boolean anotherKey;

    /** {@code upstreamMessage} is relayed and logged: the gateway's Mistral keys are taken out of it here. */
    public MistralApiException(int status, String upstreamMessage, Duration retryAfter) {
        this(status, upstreamMessage, retryAfter, false);
    }

    private MistralApiException(int status, String upstreamMessage, Duration retryAfter, boolean anotherKey) {
        super("Mistral returned HTTP " + status + ": " + UpstreamSecrets.redact(upstreamMessage), null);
        this.status = status;
        this.upstreamMessage = UpstreamSecrets.redact(upstreamMessage);
        this.retryAfter = retryAfter;
        this.anotherKey = anotherKey;
    }

    /**
     * This failure as one of the key it came on, while another key is in rotation ({@link UpstreamKeys}): not an
     * outage (the breaker does not count it), retried at once on the other key.
     */
    MistralApiException onAnotherKey() {
        return new MistralApiException(status, upstreamMessage, retryAfter, true);
    }

    /** Mistral's error answer: its status, its body (from which its message is read) and its Retry-After header. */
    static MistralApiException of(int status, String body, String retryAfterHeader) {
        return new MistralApiException(status, MistralErrorBody.message(status, body),
                MistralErrorBody.retryAfter(retryAfterHeader));
    }

    public int status() {
        return status;
    }

    /** Mistral's error message, as it sent it (bounded in length). */
    public String upstreamMessage() {
        return upstreamMessage;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** At once when another key can take the next attempt; else after Mistral's Retry-After. */
    @Override
    public Optional<Duration> retryDelay() {
        return anotherKey ? Optional.of(Duration.ZERO) : retryAfter();
    }

    @Override
    public ErrorReason reason() {
        if (status >= 500) {
            return ErrorReason.SERVER_ERROR;
        }
        return switch (status) {
            case 429 -> ErrorReason.RATE_LIMITED;
            case 401, 403 -> ErrorReason.AUTH;
            default -> ErrorReason.INVALID_REQUEST;
        };
    }

    @Override
    public String statusLabel() {
        return String.valueOf(status);
    }

    /** 5xx, and 429 unless another upstream key can take the call: Mistral is failing or overloaded. */
    @Override
    public boolean isOutage() {
        return status >= 500 || status == 429 && !anotherKey;
    }

    /**
     * 5xx and 429 are worth another attempt (after Retry-After), and a 401/403 of one key on another key; any other
     * 4xx would only be refused again.
     */
    @Override
    public boolean isRetryable() {
        return status >= 500 || status == 429 || anotherKey && (status == 401 || status == 403);
    }

    /** Mistral's 4xx pass through (the request was at fault); its 5xx are the gateway's 502. */
    @Override
    public int clientStatus() {
        return status >= 500 ? 502 : status;
    }

    @Override
    public String clientType() {
        if (status >= 500) {
            return "upstream_error";
        }
        return switch (status) {
            case 401, 403 -> "upstream_authentication_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> "invalid_request_error";
        };
    }

    @Override
    public String clientMessage() {
        if (status >= 500) {
            return "Mistral failed with HTTP " + status + ": " + upstreamMessage;
        }
        return status == 401 || status == 403
                ? "Mistral rejected the gateway's API key (HTTP " + status + "): " + upstreamMessage
                : upstreamMessage;
    }
}
