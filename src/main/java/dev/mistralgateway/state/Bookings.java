package dev.mistralgateway.state;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this pod has served and Redis has not counted yet: answers wait here for the next batch, and a batch stays
 * here, counted by this pod's own checks, until Redis confirms it. One batch is sent at a time. Every method holds
 * the instance's lock: moving a batch from pending to sending is several counters, and a check reading them halfway
 * counted the batch twice (a key's third request refused for tokens it had not used, seen once in a full run).
 */
final class Bookings {

    /** One script run's worth of bookings, numbered so that the scripts can tell whether Redis has it. */
    record Batch(long number, long nanoUsd, Map<String, Long> tokens) {
    }

    private final boolean countTokens;
    private final AtomicLong numbers = new AtomicLong();
    private final AtomicLong pendingNanoUsd = new AtomicLong();
    private final Map<String, AtomicLong> pendingTokens = new ConcurrentHashMap<>();
    private volatile long sendingNumber;
    private final AtomicLong sendingNanoUsd = new AtomicLong();
    private final Map<String, AtomicLong> sendingTokens = new ConcurrentHashMap<>();

    /** {@code countTokens}: whether a key's tokens matter (an hourly token limit is set). */
    Bookings(boolean countTokens) {
        this.countTokens = countTokens;
    }

    synchronized void add(String key, long nanoUsd, long tokens) {
        pendingNanoUsd.addAndGet(nanoUsd);
        // Negative amounts are the unused part of a reservation, which was counted on Redis when it was made.
        if (countTokens && tokens != 0) {
            add(pendingTokens, key, tokens);
        }
    }

    synchronized boolean nothingPending() {
        return pendingNanoUsd.get() == 0 && pendingTokens.values().stream().allMatch(count -> count.get() == 0);
    }

    /** Everything pending, as the next batch. */
    synchronized Batch take() {
        long number = numbers.incrementAndGet();
        sendingNumber = number;
        long nanoUsd = pendingNanoUsd.get();
        sendingNanoUsd.addAndGet(nanoUsd);
        pendingNanoUsd.addAndGet(-nanoUsd);
        Map<String, Long> tokens = new HashMap<>();
        pendingTokens.forEach((key, count) -> {
            long taken = count.get();
            if (taken != 0) {
                add(sendingTokens, key, taken);
                count.addAndGet(-taken);
                tokens.put(key, taken);
            }
        });
        return new Batch(number, nanoUsd, tokens);
    }

    /** Redis has the batch. */
    synchronized void booked(Batch batch) {
        sendingNanoUsd.addAndGet(-batch.nanoUsd());
        batch.tokens().forEach((key, count) -> add(sendingTokens, key, -count));
    }

    /** Redis did not take the batch: it waits for the next one. */
    synchronized void returned(Batch batch) {
        pendingNanoUsd.addAndGet(batch.nanoUsd());
        batch.tokens().forEach((key, count) -> add(pendingTokens, key, count));
        booked(batch);
    }

    /** For a check: what Redis may not have yet, with a key's tokens when {@code key} is given. */
    synchronized Unbooked unbooked(String key) {
        long batchTokens = key == null ? 0 : count(sendingTokens, key);
        long pending = key == null ? 0 : count(pendingTokens, key);
        return new Unbooked(sendingNumber, batchTokens, pending, sendingNanoUsd.get(), pendingNanoUsd.get());
    }

    private static void add(Map<String, AtomicLong> counts, String key, long delta) {
        counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(delta);
    }

    private static long count(Map<String, AtomicLong> counts, String key) {
        AtomicLong count = counts.get(key);
        return count == null ? 0 : count.get();
    }
}
