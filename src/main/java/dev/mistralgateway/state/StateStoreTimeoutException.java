package dev.mistralgateway.state;

import java.time.Duration;

/** Redis did not answer within {@code gateway.state.timeout}. */
final class StateStoreTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StateStoreTimeoutException(Duration timeout) {
        super("no answer within " + timeout.toMillis() + " ms", null, false, false);
    }
}
