package dev.mistralgateway.state;

import java.time.Duration;
import java.util.Optional;

/**
 * The spend of the rolling last 60 minutes, in nano-USD (integers add up exactly across pods; one token of the
 * cheapest model costs 100 nano-USD, so micro-USD would round small calls away), and, when it is at or over the
 * budget, how long until enough of it leaves the window; apart, what the calls in flight have reserved and not
 * settled yet.
 */
public record Spend(long nanoUsd, Optional<Duration> untilUnderBudget, long reservedNanoUsd) {

    public static final Spend NONE = new Spend(0, Optional.empty(), 0);

    public double usd() {
        return nanoUsd / 1e9;
    }

    public double reservedUsd() {
        return reservedNanoUsd / 1e9;
    }
}
