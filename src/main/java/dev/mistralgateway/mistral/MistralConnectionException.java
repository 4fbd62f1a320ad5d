package dev.mistralgateway.mistral;

/** The connection to Mistral could not be opened or broke before a complete response arrived. */
public final class MistralConnectionException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralConnectionException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isUpstreamOutage() {
        return true;
    }
}
