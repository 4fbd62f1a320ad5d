package dev.mistralgateway.metrics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

import jakarta.inject.Singleton;

/**
 * What this pod's operator page shows of the requests it answered: the last failures (request id, endpoint, status,
 * error type; never content, keys or the path the client sent) and, per client key name, what the key did since the
 * pod started. Fed once per request when its response ends.
 */
@Singleton
public class RecentRequests {

    /** How many failures the page lists. */
    static final int FAILURES_KEPT = 20;

    /** One failed request: answered 4xx or 5xx, or left by its client (499). */
    public record Failure(Instant at, String requestId, String endpoint, int status, String reason) {
    }

    /** A client key's requests since the pod started. */
    public record KeyActivity(String key, long requests, long failures, long tokens, double spendUsd) {
    }

    private final ArrayDeque<Failure> failures = new ArrayDeque<>(FAILURES_KEPT);
    private final Map<String, Tally> keys = new ConcurrentHashMap<>();

    private static final class Tally {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong tokens = new AtomicLong();
        final DoubleAdder spend = new DoubleAdder();
    }

    /** Records a request whose response ended with {@code status}. */
    public void finished(RequestRecord record, int status) {
        boolean failed = status >= 400;
        if (!"none".equals(record.key())) {
            // Only requests that passed authentication carry a configured key's name (or "anonymous").
            Tally tally = keys.computeIfAbsent(record.key(), name -> new Tally());
            tally.requests.incrementAndGet();
            tally.tokens.addAndGet(record.promptTokens() + record.completionTokens());
            tally.spend.add(record.spendUsd());
            if (failed) {
                tally.failures.incrementAndGet();
            }
        }
        if (failed) {
            String reason = record.errorType() != null ? record.errorType()
                    : status == 499 ? "client_closed_request" : "http_" + status;
            Failure failure = new Failure(Instant.now().truncatedTo(ChronoUnit.MILLIS), record.requestId(), record.endpoint(), status, reason);
            synchronized (failures) {
                if (failures.size() == FAILURES_KEPT) {
                    failures.removeLast();
                }
                failures.addFirst(failure);
            }
        }
    }

    /** The last failures, newest first. */
    public List<Failure> failures() {
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }

    /** Each key seen since the pod started, by name. */
    public List<KeyActivity> keys() {
        return keys.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(entry -> new KeyActivity(entry.getKey(), entry.getValue().requests.get(),
                        entry.getValue().failures.get(), entry.getValue().tokens.get(), entry.getValue().spend.sum()))
                .toList();
    }
}
