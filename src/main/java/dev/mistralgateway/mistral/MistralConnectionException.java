package dev.mistralgateway.mistral;

import dev.mistralgateway.metrics.ErrorReason;

/** The connection to Mistral could not be opened or broke before a complete response arrived. */
public final class MistralConnectionException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralConnectionException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorReason reason() {
        return ErrorReason.CONNECTION;
    }

    @Override
    public boolean isOutage() {
        return true;
    }

    @Override
    public int clientStatus() {
        return 502;
    }

    @Override
    public String clientType() {
        return "upstream_unavailable";
    }
}
