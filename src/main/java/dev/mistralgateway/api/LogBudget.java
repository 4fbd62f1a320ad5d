package dev.mistralgateway.api;

import java.time.Duration;

import dev.mistralgateway.security.TokenBucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * At most {@code perSecond} lines a second (in bursts of as many) of one kind, so a flood of refused requests cannot
 * fill a node's disk with log lines; lines over the budget are dropped and counted in
 * {@code mistral_log_lines_dropped_total{log="..."}}.
 */
final class LogBudget {

    private final TokenBucket lines;
    private final Counter dropped;

    LogBudget(String log, int perSecond, MeterRegistry registry) {
        this.lines = perSecond > 0 ? new TokenBucket(perSecond, Duration.ofSeconds(1)) : null;
        this.dropped = Counter.builder("mistral.log.lines.dropped")
                .description("Log lines not written: their kind was over its lines-per-second budget,"
                        + " or its write queue was full")
                .tag("log", log).register(registry);
    }

    /** The count of this kind's dropped lines, for lines dropped elsewhere (a full queue, say). */
    Counter droppedCounter() {
        return dropped;
    }

    /** Whether a line may be written now; when not, it is counted as dropped. */
    boolean tryLine() {
        if (lines == null || lines.take().isEmpty()) {
            return true;
        }
        dropped.increment();
        return false;
    }
}
