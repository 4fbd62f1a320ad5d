package dev.mistralgateway.audio;

import org.jboss.logging.Logger;

import dev.mistralgateway.api.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;

/**
 * The rest of an upload whose file came before its model, held in a temporary file until the form is whole and
 * checked, then read back to Mistral. What it holds counts against {@link SpoolSpace}; the file is deleted, and its
 * space given back, when the upload is done with, whatever its outcome.
 */
final class Spool {

    private static final Logger LOG = Logger.getLogger(Spool.class);

    private final Vertx vertx;
    private final SpoolSpace space;
    private String path;
    private AsyncFile file;
    private long held;
    private boolean deleted;
    private Future<Void> lastWrite = Future.succeededFuture();

    Spool(Vertx vertx, SpoolSpace space) {
        this.vertx = vertx;
        this.space = space;
    }

    /** Creates and opens the temporary file. */
    Future<Void> open() {
        return vertx.fileSystem().createTempFile("mistral-gateway-upload-", ".part", (String) null)
                .compose(created -> {
                    path = created;
                    return vertx.fileSystem().open(created, new OpenOptions().setRead(true).setWrite(true));
                })
                .map(opened -> {
                    file = opened;
                    file.setReadBufferSize(64 * 1024);
                    if (deleted) {
                        delete();
                    }
                    return null;
                });
    }

    /** Appends {@code piece}; refused when all held uploads together would pass their space. */
    void write(Buffer piece) {
        if (!space.reserve(piece.length())) {
            throw new ApiException(503, "upload_spool_full", "The gateway is holding as many uploads that send their"
                    + " file before their model as it may (gateway.transcription.max-spooled-size); send the 'model'"
                    + " field before the 'file' part, so that the audio is streamed instead, or retry shortly", null);
        }
        held += piece.length();
        lastWrite = file.write(piece);
    }

    boolean writeQueueFull() {
        return file.writeQueueFull();
    }

    void drainHandler(Handler<Void> drained) {
        file.drainHandler(drained);
    }

    /** Completes when everything written so far is in the file. */
    Future<Void> written() {
        return lastWrite;
    }

    /** Reads the file from its start into {@code destination}, which is ended after its last byte. */
    void pipeTo(WriteStream<Buffer> destination) {
        file.setReadPos(0);
        file.pipeTo(destination);
    }

    /** Closes and deletes the file (once it is open, if it is not yet), and gives its space back. */
    void delete() {
        deleted = true;
        space.release(held);
        held = 0;
        if (file != null) {
            AsyncFile open = file;
            file = null;
            open.close().onComplete(closed -> vertx.fileSystem().delete(path));
        }
    }

    /** The 503 of an upload that could not be held. */
    static ApiException failed(Throwable cause) {
        LOG.warnf("An upload could not be held in a temporary file: %s", cause.toString());
        return new ApiException(503, "upload_spool_failed", "The gateway could not hold the upload; send the 'model'"
                + " field before the 'file' part, or retry shortly", null);
    }
}
