package dev.mistralgateway.health;

import java.time.Instant;

/** The outcome of one call to {@code GET /v1/models}; {@code httpStatus} is set when Mistral answered with an error. */
public record ProbeResult(boolean succeeded, long latencyMs, String model, String error, Integer httpStatus, Instant checkedAt) {

    /** 401/403: this pod's key is wrong, a fault of this pod rather than of Mistral. */
    public boolean credentialsRejected() {
        return httpStatus != null && (httpStatus == 401 || httpStatus == 403);
    }
}
