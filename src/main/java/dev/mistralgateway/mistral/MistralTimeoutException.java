package dev.mistralgateway.mistral;

/** Mistral did not answer (or did not send the next stream chunk) within the configured time. */
public final class MistralTimeoutException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isUpstreamOutage() {
        return true;
    }
}
