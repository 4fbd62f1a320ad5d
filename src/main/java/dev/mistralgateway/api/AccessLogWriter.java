package dev.mistralgateway.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

import io.micrometer.core.instrument.Counter;

/**
 * Writes access lines off the event loops, in batches: an event loop only queues the line's record (bounded; a line
 * that finds the queue full is dropped and counted in {@code mistral_log_lines_dropped_total{log="access"}}, never
 * waited for), and one thread publishes what has queued up through the access logger, so its handlers, format and
 * levels are the configured ones, with their auto-flush held off for the batch: one write for the batch instead of one
 * per request (each write is a syscall that cost 3-4 % of the gateway's CPU per plain call; measured). The thread
 * looks for lines every 20 ms, so a line is written at most that long after its response.
 */
final class AccessLogWriter {

    static final int CAPACITY = 16_384;
    private static final int BATCH = 512;
    /** How long the thread sleeps when nothing is queued: the most a line waits on a quiet gateway. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Logger logger;
    private final Counter dropped;
    private final BlockingQueue<ExtLogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean closed;

    AccessLogWriter(String category, Counter dropped) {
        this.logger = LogContext.getLogContext().getLogger(category);
        this.dropped = dropped;
        this.thread = new Thread(this::run, "access-log-writer");
        thread.setDaemon(true);
        thread.start();
    }

    boolean isEnabled(Level level) {
        return logger.isLoggable(level);
    }

    /** Queues {@code record} for the writer thread; after {@link #close()}, publishes it on the calling thread. */
    void write(ExtLogRecord record) {
        record.setLoggerName(logger.getName());
        if (closed) {
            logger.logRaw(record);
        } else if (!queue.offer(record)) {
            dropped.increment();
        }
    }

    /** Writes what is queued and stops the thread; later lines are written by their callers. */
    void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ExtLogRecord> rest = new ArrayList<>();
        queue.drainTo(rest);
        publish(rest);
    }

    private void run() {
        List<ExtLogRecord> batch = new ArrayList<>(BATCH);
        while (!closed) {
            try {
                queue.drainTo(batch, BATCH);
                if (batch.isEmpty()) {
                    // Polled, not signalled: waking this thread for each line cost the event loops more than the
                    // write it saved (a futex call per line; measured).
                    LockSupport.parkNanos(PAUSE_NANOS);
                } else {
                    publish(batch);
                    batch.clear();
                }
            } catch (RuntimeException e) {
                // A handler that failed on one batch must not stop the access log.
                batch.clear();
            }
        }
    }

    /** Publishes {@code batch} with every auto-flushing handler on the way held until its end, then flushed. */
    private synchronized void publish(List<ExtLogRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<ExtHandler> held = new ArrayList<>();
        for (java.util.logging.Logger at = logger; at != null; at = at.getUseParentHandlers() ? at.getParent() : null) {
            hold(at.getHandlers(), held);
        }
        try {
            for (ExtLogRecord record : batch) {
                logger.logRaw(record);
            }
        } finally {
            for (ExtHandler handler : held) {
                handler.setAutoFlush(true);
                handler.flush();
            }
        }
    }

    private static void hold(Handler[] handlers, List<ExtHandler> held) {
        for (Handler handler : handlers) {
            if (handler instanceof ExtHandler ext) {
                if (ext.isAutoFlush()) {
                    ext.setAutoFlush(false);
                    held.add(ext);
                }
                hold(ext.getHandlers(), held);
            }
        }
    }
}
