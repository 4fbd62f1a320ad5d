package dev.mistralgateway.mistral;

import dev.mistralgateway.metrics.ErrorReason;

/**
 * The client left (or its time budget ran out, or the gateway is shutting down), so the gateway cancelled the
 * Mistral call made for it. Not Mistral's fault: never an outage, never retried, never counted as a Mistral error.
 */
public final class MistralCancelledException extends MistralException {

    private static final long serialVersionUID = 1L;

    public MistralCancelledException() {
        super("The client closed the request, so its Mistral call was cancelled", null);
    }

    /** Not an error: nothing is counted in {@code mistral_errors_total}. */
    @Override
    public ErrorReason reason() {
        return null;
    }

    @Override
    public boolean isOutage() {
        return false;
    }

    /** 499 "client closed request" (nginx's code): nobody reads it, but it is no failure of the gateway or Mistral. */
    @Override
    public int clientStatus() {
        return 499;
    }

    @Override
    public String clientType() {
        return "client_closed_request";
    }
}
