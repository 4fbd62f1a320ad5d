package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.Optional;

import dev.mistralgateway.metrics.ErrorReason;

/**
 * The failure of a call whose body was streamed to Mistral ({@link StreamedBody}) and cannot be sent again. It is
 * the failure it wraps in every respect (reason, outage, client status and message), so the breaker counts it and
 * the client sees it as any other, except one: it is never worth another attempt, so the guard's retry lets it
 * through while its circuit breaker, shared with every other call, still counts it.
 */
public final class MistralUnrepeatableException extends MistralException {

    private static final long serialVersionUID = 1L;

    private final MistralException failure;

    public MistralUnrepeatableException(MistralException failure) {
        super(failure.getMessage(), failure);
        this.failure = failure;
    }

    /** The call's failure as it would be classified on a call that could be repeated. */
    public MistralException failure() {
        return failure;
    }

    @Override
    public ErrorReason reason() {
        return failure.reason();
    }

    @Override
    public String statusLabel() {
        return failure.statusLabel();
    }

    @Override
    public boolean isOutage() {
        return failure.isOutage();
    }

    /** The body cannot be sent again. */
    @Override
    public boolean isRetryable() {
        return false;
    }

    @Override
    public int clientStatus() {
        return failure.clientStatus();
    }

    @Override
    public String clientType() {
        return failure.clientType();
    }

    @Override
    public String clientMessage() {
        return failure.clientMessage();
    }

    @Override
    public Optional<Duration> retryAfter() {
        return failure.retryAfter();
    }
}
