package dev.mistralgateway.mistral;

import dev.mistralgateway.metrics.ErrorReason;

/** Mistral did not answer (or did not send the next stream chunk) within the configured time. */
public final class MistralTimeoutException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorReason reason() {
        return ErrorReason.TIMEOUT;
    }

    @Override
    public boolean isOutage() {
        return true;
    }

    @Override
    public int clientStatus() {
        return 504;
    }

    @Override
    public String clientType() {
        return "upstream_timeout";
    }

    @Override
    public String clientMessage() {
        return "Mistral did not answer in time";
    }
}
