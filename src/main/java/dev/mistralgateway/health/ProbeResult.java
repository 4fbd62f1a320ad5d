package dev.mistralgateway.health;

import java.time.Instant;

/**
 * The outcome of one probe, {@code GET /v1/models} with every upstream key; {@code httpStatus} is set when Mistral
 * answered every key with an error (a rejection only when it rejected them all).
 */
public record ProbeResult(boolean succeeded, long latencyMs, String model, String error, Integer httpStatus, Instant checkedAt) {

    /** 401/403: this pod's keys are all wrong, a fault of this pod rather than of Mistral. */
    public boolean credentialsRejected() {
        return httpStatus != null && (httpStatus == 401 || httpStatus == 403);
    }
}
