package dev.mistralgateway.state;

/**
 * What a pod has served that Redis may not have counted yet, for its own checks: the batch it is booking (by number,
 * so that a script can tell whether that batch is already in) and what is not in a batch yet; a key's tokens and
 * nano-USD when the check is about one key.
 */
record Unbooked(long batch, long batchTokens, long pendingTokens, long batchNanoUsd, long pendingNanoUsd,
        long batchKeyNanoUsd, long pendingKeyNanoUsd) {

    static final Unbooked NONE = new Unbooked(0, 0, 0, 0, 0, 0, 0);
}
