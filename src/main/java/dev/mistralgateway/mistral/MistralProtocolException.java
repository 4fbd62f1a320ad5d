package dev.mistralgateway.mistral;

/** Mistral answered 2xx with a body that is not the JSON it promised. */
public final class MistralProtocolException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isUpstreamOutage() {
        return true;
    }
}
