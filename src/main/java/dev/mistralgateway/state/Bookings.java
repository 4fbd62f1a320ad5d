package dev.mistralgateway.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this pod has served and Redis has not counted yet: answers wait here for the next batch, and a batch stays
 * here, counted by this pod's own checks, until Redis confirms it. One batch is sent at a time. Every method holds
 * the instance's lock: moving a batch from pending to sending is several counters, and a check reading them halfway
 * counted the batch twice (a key's third request refused for tokens it had not used, seen once in a full run).
 * <p>
 * A batch also frees the reservations its calls settled. Until it is in, Redis still holds those reservations, so the
 * pod's checks count what the calls used less what Redis holds for them (when Redis confirmed holding it): counting
 * both refused a key's third quick request for tokens held twice.
 */
final class Bookings {

    /**
     * One script run's worth of bookings, numbered so that the scripts can tell whether Redis has it, with the ids of
     * the reservations its calls settled and what Redis holds for them.
     */
    record Batch(long number, Amounts amounts) {

        long nanoUsd() {
            return amounts.nanoUsd;
        }

        Map<String, Long> tokens() {
            return amounts.tokens;
        }

        /** The ids of the reservations settled, then what the pod gave back of each share, as the script takes them. */
        List<String> settled() {
            List<String> all = new ArrayList<>(amounts.settled);
            amounts.givenBack.forEach((share, total) -> all.add(share + "," + total[0] + "," + total[1]));
            return all;
        }

        /** Each key's nano-USD, for the keys' own budgets. */
        Map<String, Long> keyNanoUsd() {
            return amounts.keyNanoUsd;
        }
    }

    /** Amounts to book, and what Redis holds for the reservations settled with them. */
    static final class Amounts {
        private long nanoUsd;
        private final Map<String, Long> tokens = new HashMap<>();
        private long heldNanoUsd;
        private final Map<String, Long> heldTokens = new HashMap<>();
        private final Map<String, Long> keyNanoUsd = new HashMap<>();
        private final Map<String, Long> heldKeyNanoUsd = new HashMap<>();
        private final List<String> settled = new ArrayList<>();
        /** By share id, what this pod has given back of it in all: nano-USD and tokens (the latest totals win). */
        private final Map<String, long[]> givenBack = new LinkedHashMap<>();

        private void add(Amounts other) {
            nanoUsd += other.nanoUsd;
            heldNanoUsd += other.heldNanoUsd;
            other.tokens.forEach((key, count) -> Bookings.add(tokens, key, count));
            other.heldTokens.forEach((key, count) -> Bookings.add(heldTokens, key, count));
            other.keyNanoUsd.forEach((key, count) -> Bookings.add(keyNanoUsd, key, count));
            other.heldKeyNanoUsd.forEach((key, count) -> Bookings.add(heldKeyNanoUsd, key, count));
            settled.addAll(other.settled);
            other.givenBack.forEach(this::givenBack);
        }

        private void givenBack(String share, long[] total) {
            givenBack.merge(share, total.clone(),
                    (a, b) -> new long[] { Math.max(a[0], b[0]), Math.max(a[1], b[1]) });
        }

        private void subtract(Amounts other) {
            nanoUsd -= other.nanoUsd;
            heldNanoUsd -= other.heldNanoUsd;
            other.tokens.forEach((key, count) -> Bookings.add(tokens, key, -count));
            other.heldTokens.forEach((key, count) -> Bookings.add(heldTokens, key, -count));
            other.keyNanoUsd.forEach((key, count) -> Bookings.add(keyNanoUsd, key, -count));
            other.heldKeyNanoUsd.forEach((key, count) -> Bookings.add(heldKeyNanoUsd, key, -count));
        }

        private boolean isEmpty() {
            return nanoUsd == 0 && settled.isEmpty() && tokens.isEmpty() && givenBack.isEmpty();
        }

        /** What Redis does not count yet of these amounts: the use, less what it holds for it. */
        private long countedNanoUsd() {
            return nanoUsd - heldNanoUsd;
        }

        private long countedTokens(String key) {
            return tokens.getOrDefault(key, 0L) - heldTokens.getOrDefault(key, 0L);
        }

        private long countedKeyNanoUsd(String key) {
            return keyNanoUsd.getOrDefault(key, 0L) - heldKeyNanoUsd.getOrDefault(key, 0L);
        }
    }

    private final boolean countTokens;
    private final Set<String> budgetedKeys;
    private long numbers;
    private long sendingNumber;
    private Amounts pending = new Amounts();
    private final Amounts sending = new Amounts();

    /**
     * {@code countTokens}: whether a key's tokens matter (an hourly token limit is set); {@code budgetedKeys}: the keys
     * whose nano-USD matter (they have a budget of their own).
     */
    Bookings(boolean countTokens, Set<String> budgetedKeys) {
        this.countTokens = countTokens;
        this.budgetedKeys = Set.copyOf(budgetedKeys);
    }

    /**
     * What a call used, and the reservation it settles on Redis ({@code reservation} null: none) with what Redis
     * holds for it ({@code held}: 0 when Redis did not confirm holding it).
     */
    synchronized void add(String key, long nanoUsd, long tokens, String reservation, long heldNanoUsd,
            long heldTokens) {
        pending.nanoUsd += nanoUsd;
        pending.heldNanoUsd += heldNanoUsd;
        if (countTokens) {
            add(pending.tokens, key, tokens);
            add(pending.heldTokens, key, heldTokens);
        }
        if (key != null && budgetedKeys.contains(key)) {
            add(pending.keyNanoUsd, key, nanoUsd);
            add(pending.heldKeyNanoUsd, key, heldNanoUsd);
        }
        if (reservation != null) {
            pending.settled.add(reservation);
        }
    }

    /** What this pod has given back of its share {@code share} in all, for the next batch. */
    synchronized void givenBack(String share, long nanoUsd, long tokens) {
        pending.givenBack(share, new long[] { nanoUsd, tokens });
    }

    synchronized boolean nothingPending() {
        return pending.isEmpty();
    }

    /** Everything pending, as the next batch. */
    synchronized Batch take() {
        sendingNumber = ++numbers;
        Batch batch = new Batch(sendingNumber, pending);
        sending.add(pending);
        sending.settled.clear();
        sending.givenBack.clear();
        pending = new Amounts();
        return batch;
    }

    /** Redis has the batch. */
    synchronized void booked(Batch batch) {
        sending.subtract(batch.amounts());
    }

    /** Redis did not take the batch: it waits for the next one. */
    synchronized void returned(Batch batch) {
        pending.add(batch.amounts());
        booked(batch);
    }

    /** For a check: what Redis may not have yet, with a key's tokens when {@code key} is given. */
    synchronized Unbooked unbooked(String key) {
        long batchTokens = key == null ? 0 : sending.countedTokens(key);
        long pendingTokens = key == null ? 0 : pending.countedTokens(key);
        long batchKeyNanoUsd = key == null ? 0 : sending.countedKeyNanoUsd(key);
        long pendingKeyNanoUsd = key == null ? 0 : pending.countedKeyNanoUsd(key);
        return new Unbooked(sendingNumber, batchTokens, pendingTokens, sending.countedNanoUsd(),
                pending.countedNanoUsd(), batchKeyNanoUsd, pendingKeyNanoUsd);
    }

    private static void add(Map<String, Long> counts, String key, long delta) {
        if (delta != 0) {
            counts.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }
}
