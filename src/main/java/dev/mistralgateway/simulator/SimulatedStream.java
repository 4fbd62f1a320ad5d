package dev.mistralgateway.simulator;

import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes one SSE answer chunk by chunk, as Mistral does, honouring stream faults (slow, stall, die) and noting
 * whether the client stayed to the end ({@code streams_completed}) or left early ({@code streams_cancelled}).
 */
final class SimulatedStream {

    private static final long DIE_PAUSE_MS = 100;

    private final Vertx vertx;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final List<ObjectNode> chunks;
    private final Fault fault;
    private final Consumer<String> count;
    private Future<Void> lastWrite = Future.succeededFuture();
    private int next;
    private boolean finished;

    SimulatedStream(Vertx vertx, HttpServerRequest request, List<ObjectNode> chunks, Fault fault, Consumer<String> count) {
        this.vertx = vertx;
        this.request = request;
        this.response = request.response();
        this.chunks = chunks;
        this.fault = fault;
        this.count = count;
    }

    void start() {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        request.connection().closeHandler(closed -> {
            if (!finished) {
                finished = true;
                count.accept("streams_cancelled");
            }
        });
        writeNext();
    }

    private void writeNext() {
        if (finished) {
            return;
        }
        if (fault != null && next == fault.chunksBeforeFault()) {
            if (fault.type() == Fault.Type.STALL) {
                return;
            }
            if (fault.type() == Fault.Type.DIE) {
                finished = true;
                count.accept("streams_died");
                // Close once the chunks are on the wire (Netty drops writes still queued at close), after a pause,
                // as a stream that dies midway does.
                lastWrite.onComplete(written -> vertx.setTimer(DIE_PAUSE_MS, id -> request.connection().close()));
                return;
            }
            if (fault.type() == Fault.Type.TRUNCATE) {
                finished = true;
                count.accept("streams_truncated");
                response.end();
                return;
            }
        }
        if (next == chunks.size()) {
            finished = true;
            response.end("data: [DONE]\n\n");
            count.accept("streams_completed");
            return;
        }
        if (response.writeQueueFull()) {
            // A reader that does not keep up slows the stream down, as a real server's TCP window does.
            response.drainHandler(drained -> writeNext());
            return;
        }
        lastWrite = response.write("data: " + chunks.get(next++) + "\n\n");
        long delay = fault != null && fault.type() == Fault.Type.SLOW ? fault.chunkDelay() : 0;
        if (delay > 0) {
            vertx.setTimer(delay, id -> writeNext());
        } else {
            writeNext();
        }
    }
}
