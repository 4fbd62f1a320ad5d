package dev.mistralgateway.mistral;

/** Mistral did not answer (or did not send the next stream chunk) within the configured time. */
public final class MistralTimeoutException extends MistralException {

    public MistralTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isUpstreamOutage() {
        return true;
    }
}
