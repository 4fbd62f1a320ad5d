package dev.mistralgateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects every log record the gateway writes while open: message, parameters, MDC and exceptions, as text. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
        setLevel(Level.ALL);
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName()).append(' ').append(record.getMessage());
        if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
                line.append(' ').append(parameter);
            }
        }
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            line.append(' ').append(ext.getFormattedMessage()).append(" mdc=").append(ext.getMdcCopy());
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(' ').append(t);
        }
        synchronized (lines) {
            lines.add(line.toString());
        }
    }

    /**
     * The lines so far, once no new one came for 50 ms (at most 2 s): access lines are written by their own thread a
     * moment after the response (api.AccessLogWriter).
     */
    public List<String> lines() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int seen = -1;
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                if (lines.size() == seen) {
                    break;
                }
                seen = lines.size();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
