package dev.mistralgateway.mistral;

import dev.mistralgateway.metrics.ErrorReason;

/** Mistral answered 2xx with a body that is not the JSON it promised. */
public final class MistralProtocolException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorReason reason() {
        return ErrorReason.INVALID_RESPONSE;
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
        return "upstream_invalid_response";
    }
}
