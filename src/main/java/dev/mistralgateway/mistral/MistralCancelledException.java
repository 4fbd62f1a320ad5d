package dev.mistralgateway.mistral;

/**
 * The client left (or its time budget ran out, or the gateway is shutting down), so the gateway cancelled the
 * Mistral call made for it. Not Mistral's fault: never an outage, never retried, never counted as a Mistral error.
 */
public final class MistralCancelledException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralCancelledException() {
        super("The client closed the request, so its Mistral call was cancelled", null);
    }

    @Override
    public boolean isUpstreamOutage() {
        return false;
    }
}
