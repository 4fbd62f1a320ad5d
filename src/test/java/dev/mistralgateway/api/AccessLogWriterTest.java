package dev.mistralgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class AccessLogWriterTest {

    private final String category = "test.access." + System.nanoTime();
    private final Logger logger = LogContext.getLogContext().getLogger(category);
    private final Counter dropped = new SimpleMeterRegistry().counter("dropped");
    private final Recording handler = new Recording();

    @BeforeEach
    void attach() {
        logger.setUseParentHandlers(false);
        logger.addHandler(handler);
    }

    @AfterEach
    void detach() {
        logger.removeHandler(handler);
    }

    @Test
    void writesEveryLineInOrderWithItsRequestIdAndFlushesOncePerBatch() throws Exception {
        AccessLogWriter writer = new AccessLogWriter(category, dropped);
        for (int i = 0; i < 2_000; i++) {
            writer.write(line("line " + i, "id-" + i));
        }
        writer.close();
        List<String> lines = handler.lines();
        assertEquals(2_000, lines.size());
        for (int i = 0; i < 2_000; i++) {
            assertEquals("line " + i + " id-" + i, lines.get(i));
        }
        assertTrue(handler.flushes() < 2_000, "lines are flushed in batches, not one by one: " + handler.flushes());
        assertTrue(handler.autoFlushRestored(), "the handler auto-flushes again after each batch");
        assertEquals(0, dropped.count());
    }

    @Test
    void aFullQueueDropsAndCountsLinesInsteadOfWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        handler.blockOn(release);
        AccessLogWriter writer = new AccessLogWriter(category, dropped);
        writer.write(line("held", "id"));
        handler.awaitBlocked();
        long start = System.nanoTime();
        int extra = 100;
        for (int i = 0; i < AccessLogWriter.CAPACITY + extra; i++) {
            writer.write(line("queued " + i, "id"));
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "a full queue never blocks the caller");
        assertEquals(extra, dropped.count());
        release.countDown();
        writer.close();
        assertEquals(1 + AccessLogWriter.CAPACITY, handler.lines().size());
    }

    @Test
    void aQuietLogWritesEachLineWithinAMoment() throws Exception {
        AccessLogWriter writer = new AccessLogWriter(category, dropped);
        writer.write(line("alone", "id"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (handler.lines().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("alone id"), handler.lines());
        writer.close();
    }

    private static ExtLogRecord line(String text, String requestId) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, text, ExtLogRecord.FormatStyle.NO_FORMAT, "test");
        record.setMdc(java.util.Map.of("requestId", requestId));
        return record;
    }

    private static final class Recording extends ExtHandler {

        private final List<String> lines = new ArrayList<>();
        private int flushes;
        private volatile CountDownLatch release;
        private final CountDownLatch blocked = new CountDownLatch(1);

        Recording() {
            setAutoFlush(true);
        }

        void blockOn(CountDownLatch release) {
            this.release = release;
        }

        void awaitBlocked() throws InterruptedException {
            assertTrue(blocked.await(5, TimeUnit.SECONDS));
        }

        @Override
        protected void doPublish(ExtLogRecord record) {
            CountDownLatch held = release;
            if (held != null) {
                release = null;
                blocked.countDown();
                try {
                    held.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (this) {
                lines.add(record.getMessage() + " " + record.getMdc("requestId"));
                if (isAutoFlush()) {
                    flushes++;
                }
            }
        }

        @Override
        public synchronized void flush() {
            flushes++;
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        synchronized int flushes() {
            return flushes;
        }

        boolean autoFlushRestored() {
            return isAutoFlush();
        }

        @Override
        public void publish(LogRecord record) {
            super.publish(record);
        }
    }
}
