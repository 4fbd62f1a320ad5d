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
     * Checks the budget and the key's hourly tokens and, when the spend plus the open reservations is under each
     * limit, reserves {@code nanoUsd} and {@code tokens} (a call's most) under {@code id} against them, as one atomic
     * step: concurrent calls see each other's reservations, so the budget cannot be overrun by more than the last
     * admitted call. The call frees it by {@link #settle} with the same id; a reservation nobody settles frees itself
     * after {@code gateway.state.reservation-ttl}.
     */
    Uni<Verdict> reserve(String id, String key, long nanoUsd, long tokens);

    /**
     * Frees reservation {@code reservation} (null: the call made none; freeing one already freed or expired does
     * nothing) and books what the call used: its spend (in nano-USD) and the key's Mistral tokens. A shared store may
     * send it a moment later, with others; the returned Uni never fails.
     */
    Uni<Void> settle(String reservation, String key, long nanoUsd, long tokens);

    /**
     * What a key with a budget of its own spent over {@code window} as last seen, in nano-USD, without I/O: for its
     * gauges. 0 for a key without one.
     */
    long keySpend(String key, Window window);

    /** The rolling hour's spend as last seen, without I/O: for gauges and health checks. */
    Spend lastSpend();
}
