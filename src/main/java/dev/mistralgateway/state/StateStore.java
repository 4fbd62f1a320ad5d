package dev.mistralgateway.state;

import io.smallrye.mutiny.Uni;

/**
 * The counters that per-key limits and the hourly budget are enforced against: in this pod's memory, or shared by
 * the whole fleet through Redis. Every check is asynchronous, so that a shared store never blocks an event loop;
 * each one completes on the caller's Vert.x context.
 */
public interface StateStore {

    /** Takes one request from the key's per-minute allowance and checks its hourly tokens, as one atomic step. */
    Uni<Verdict> admitKey(String key);

    /** Whether the rolling hour's spend is under the budget. */
    Uni<Verdict> checkBudget();

    /**
     * Checks the budget and the key's hourly tokens and, when both are under their limits, counts {@code nanoUsd} and
     * {@code tokens} (a call's most) against them at once, as one atomic step: concurrent calls see each other's
     * reservations, so the budget cannot be overrun by more than the last admitted call. The call settles it with
     * {@link #record} of what it used minus what it reserved.
     */
    Uni<Verdict> reserve(String key, long nanoUsd, long tokens);

    /** Whether {@link #reserve} counts reservations; when not, it only checks, and callers must not settle against it. */
    default boolean reserves() {
        return true;
    }

    /**
     * Books one answer: its spend (in nano-USD) and the key's Mistral tokens, or a correction (negative: the part of
     * a reservation a call did not use). A shared store may send it a moment later, with others; the returned Uni
     * never fails.
     */
    Uni<Void> record(String key, long nanoUsd, long tokens);

    /** The rolling hour's spend as last seen, without I/O: for gauges and health checks. */
    Spend lastSpend();
}
