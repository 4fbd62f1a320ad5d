package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.Optional;

/** Mistral answered with a non-2xx status; carries the status, Mistral's own message and its Retry-After. */
public final class MistralApiException extends MistralException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String upstreamMessage;
    private final Duration retryAfter;

    public MistralApiException(int status, String upstreamMessage, Duration retryAfter) {
        super("Mistral returned HTTP " + status + ": " + upstreamMessage, null);
        this.status = status;
        this.upstreamMessage = upstreamMessage;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** Mistral's error message, as it sent it (bounded in length). */
    public String upstreamMessage() {
        return upstreamMessage;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isUpstreamOutage() {
        return status >= 500 || status == 429;
    }
}
