package dev.mistralgateway.mistral;

import dev.mistralgateway.metrics.ErrorReason;

/**
 * The circuit breaker refused the call: Mistral failed recently, so no call is made until the breaker's delay is
 * over. Not a new outage (the breaker does not count its own refusals, and a fallback model would meet the same
 * breaker). The gateway's answer adds the wait, which only the breaker's status knows.
 */
public final class MistralCircuitOpenException extends MistralException {

    private static final long serialVersionUID = 1L;

    MistralCircuitOpenException(Throwable cause) {
        super("Mistral is failing, so the gateway's circuit breaker is open and refuses calls", cause);
    }

    @Override
    public ErrorReason reason() {
        return ErrorReason.CIRCUIT_OPEN;
    }

    @Override
    public boolean isOutage() {
        return false;
    }

    @Override
    public int clientStatus() {
        return 503;
    }

    @Override
    public String clientType() {
        return "circuit_open";
    }
}
