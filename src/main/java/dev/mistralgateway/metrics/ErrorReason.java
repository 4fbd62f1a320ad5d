package dev.mistralgateway.metrics;

import java.util.Locale;

/** The {@code reason} label of {@code mistral_errors_total}: a small fixed set the alert rules rely on. */
public enum ErrorReason {
    SERVER_ERROR, RATE_LIMITED, AUTH, TIMEOUT, CONNECTION, INVALID_RESPONSE, INVALID_REQUEST, CIRCUIT_OPEN,
    BUDGET_EXHAUSTED,
    /** A client without a valid gateway key: not Mistral's 401, so the auth alert does not page for it. */
    UNAUTHENTICATED,
    /** A client key over its own per-key limits: not Mistral's 429. */
    KEY_RATE_LIMITED,
    /** A client address refused for too many failed authentications. */
    AUTH_THROTTLED,
    /** A client key that spent a USD budget of its own. */
    KEY_BUDGET_EXHAUSTED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
