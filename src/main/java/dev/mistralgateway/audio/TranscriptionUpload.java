package dev.mistralgateway.audio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.mistral.StreamedBody;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * One transcription upload on its way from the client to Mistral, relayed byte for byte (the client's boundary and
 * all) and never held whole in memory. The gateway reads the form as it passes ({@link MultipartScanner}) and decides
 * at the audio part:
 * <ul>
 * <li>the model came first (as the Mistral SDK sends it) and is allowed: the call starts, and the audio is streamed to
 * Mistral as it arrives, at the pace Mistral takes it. The fields after the audio are held back until the form is
 * whole and checked, so Mistral never receives a complete form the gateway refuses: a refusal then resets the call.</li>
 * <li>the audio came before the model (as the OpenAI SDK and {@code curl -F} send it when written so): the gateway
 * cannot choose or refuse a model it has not read, and will not call Mistral with a form it may refuse, so it holds
 * the rest of the upload in a temporary file ({@link Spool}), bounded by the upload limit and by {@link SpoolSpace},
 * and sends it once the whole form is read and checked. Refusing such forms would break clients that are right by the
 * HTTP and multipart rules; holding them in memory would let a few uploads exhaust it.</li>
 * <li>no audio part (a {@code file_url} or {@code file_id}): the small form is sent once it is whole and checked.</li>
 * </ul>
 * Over {@code gateway.transcription.max-upload-size}, the upload is refused with 413 as soon as it passes the limit.
 */
final class TranscriptionUpload implements MultipartScanner.Listener, StreamedBody {

    /** What the route does with the upload's decisions. */
    interface Outcome {

        /** The form named an allowed model and its audio: call Mistral, which will {@link #sendTo} when open. */
        void start(String model);

        /** The form is refused (or could not be read): answer the client, and cancel the call if it started. */
        void refuse(ApiException refusal);
    }

    /** Where the bytes read go. */
    private enum Destination {
        /** Before the audio part: held, to be sent first. */
        HEAD,
        /** The audio part, model known: to Mistral as they come (held only until the request to Mistral is open). */
        MISTRAL,
        /** After the audio part: held until the form is whole and checked. */
        TAIL,
        /** The audio part came before the model: everything from there on goes to a temporary file. */
        SPOOL
    }

    private final HttpServerRequest request;
    private final String contentType;
    private final long declaredLength;
    private final long maxBytes;
    private final TranscriptionForm form;
    private final MultipartScanner scanner;
    private final Supplier<Spool> spools;
    private final Outcome outcome;

    private Destination destination = Destination.HEAD;
    private final Buffer head = Buffer.buffer();
    private final Buffer tail = Buffer.buffer();
    private Buffer pending = Buffer.buffer();
    private String fieldName;
    private boolean inFile;
    private final ByteArrayOutputStream fieldValue = new ByteArrayOutputStream();
    private long fieldBytes;
    private long received;
    private Buffer chunk;
    private long chunkStart;
    private long routed;
    private boolean clientEnded;
    private boolean waiting;
    private boolean done;
    private HttpClientRequest upstream;
    private Spool spool;

    TranscriptionUpload(HttpServerRequest request, String contentType, String boundary, long maxBytes,
            TranscriptionForm form, Supplier<Spool> spools, Outcome outcome) {
        this.request = request;
        this.contentType = contentType;
        this.declaredLength = length(request.getHeader("Content-Length"));
        this.maxBytes = maxBytes;
        this.form = form;
        this.scanner = new MultipartScanner(boundary, this);
        this.spools = spools;
        this.outcome = outcome;
    }

    /** Starts reading the client's body. */
    void begin() {
        request.exceptionHandler(failure -> {
            // The client went away: the route's end handler cancels the call and discards the upload.
        });
        request.handler(this::read);
        request.endHandler(ended -> clientEnded());
        request.resume();
    }

    /** Stops reading, and drops what is held (the temporary file): the request is answered or gone. */
    void discard() {
        done = true;
        if (spool != null) {
            spool.delete();
        }
    }

    private void read(Buffer data) {
        if (done) {
            return;
        }
        received += data.length();
        if (received > maxBytes) {
            refuse(ApiException.tooLarge(maxBytes));
            return;
        }
        chunk = data;
        chunkStart = received - data.length();
        routed = chunkStart;
        try {
            scanner.feed(data);
        } catch (ApiException refused) {
            refuse(refused);
            return;
        }
        deliverUpTo(received);
    }

    @Override
    public void partStarted(String name, String fileName, long contentStart) {
        if (done) {
            return;
        }
        deliverUpTo(contentStart);
        fieldName = name;
        inFile = TranscriptionForm.FILE.equals(name);
        fieldValue.reset();
        if (!inFile) {
            return;
        }
        form.fileStarted();
        // Nothing of the client's is read while the request to Mistral or the temporary file is being opened.
        waiting = true;
        request.pause();
        if (form.model() != null) {
            destination = Destination.MISTRAL;
            outcome.start(form.model());
        } else {
            destination = Destination.SPOOL;
            openSpool();
        }
    }

    @Override
    public void partData(byte[] bytes, int from, int to) {
        if (inFile || done) {
            return;
        }
        fieldBytes += to - from;
        if (fieldBytes > TranscriptionForm.MAX_FORM_BYTES) {
            throw tooMuchForm();
        }
        fieldValue.write(bytes, from, to - from);
    }

    @Override
    public void partEnded(long contentEnd) {
        if (done) {
            return;
        }
        if (inFile) {
            if (destination == Destination.MISTRAL) {
                deliverUpTo(contentEnd);
                destination = Destination.TAIL;
            }
            inFile = false;
        } else {
            form.field(fieldName, fieldValue.toString(StandardCharsets.UTF_8));
        }
    }

    private void clientEnded() {
        if (done) {
            return;
        }
        clientEnded = true;
        try {
            if (!scanner.complete()) {
                throw MultipartScanner.malformed("it ends before its closing boundary");
            }
            form.checkComplete();
        } catch (ApiException refused) {
            refuse(refused);
            return;
        }
        switch (destination) {
            // No audio part: the form is small and whole.
            case HEAD -> outcome.start(form.model());
            case SPOOL -> {
                if (!waiting) {
                    spoolComplete();
                }
            }
            default -> {
                if (upstream != null && !waiting) {
                    upstream.end(tail);
                }
            }
        }
    }

    /** The whole upload is read and checked, and the temporary file holds its rest: call Mistral once it is written. */
    private void spoolComplete() {
        spool.written().onComplete(written -> {
            if (done) {
                return;
            }
            if (written.failed()) {
                refuse(Spool.failed(written.cause()));
            } else {
                outcome.start(form.model());
            }
        });
    }

    @Override
    public String contentType() {
        return contentType;
    }

    /** The client's bytes go to Mistral unchanged: their length, once known. */
    @Override
    public long length() {
        return clientEnded ? received : declaredLength;
    }

    @Override
    public void sendTo(HttpClientRequest request) {
        if (done) {
            request.reset();
            return;
        }
        upstream = request;
        upstream.write(head);
        if (destination == Destination.SPOOL) {
            spool.pipeTo(upstream);
            return;
        }
        if (pending.length() > 0) {
            upstream.write(pending);
        }
        pending = null;
        waiting = false;
        if (clientEnded) {
            upstream.end(tail);
        } else {
            resumeWhenDrained(upstream.writeQueueFull(), upstream::drainHandler);
        }
    }

    /** Hands the bytes read up to body offset {@code position} to where they go now. */
    private void deliverUpTo(long position) {
        if (position <= routed || done) {
            return;
        }
        Buffer piece = chunk.getBuffer((int) (routed - chunkStart), (int) (position - chunkStart));
        routed = position;
        switch (destination) {
            case HEAD -> {
                head.appendBuffer(piece);
                if (head.length() > TranscriptionForm.MAX_FORM_BYTES) {
                    refuse(tooMuchForm());
                }
            }
            case TAIL -> {
                tail.appendBuffer(piece);
                if (tail.length() > TranscriptionForm.MAX_FORM_BYTES) {
                    refuse(tooMuchForm());
                }
            }
            case MISTRAL -> {
                if (waiting) {
                    pending.appendBuffer(piece);
                } else {
                    upstream.write(piece);
                    resumeWhenDrained(upstream.writeQueueFull(), upstream::drainHandler);
                }
            }
            case SPOOL -> {
                if (waiting) {
                    pending.appendBuffer(piece);
                } else {
                    spool(piece);
                }
            }
        }
    }

    private void openSpool() {
        spool = spools.get();
        spool.open().onComplete(opened -> {
            if (opened.failed()) {
                refuse(Spool.failed(opened.cause()));
                return;
            }
            if (done) {
                return;
            }
            waiting = false;
            Buffer held = pending;
            pending = null;
            if (held.length() > 0) {
                spool(held);
            }
            if (clientEnded) {
                spoolComplete();
            } else if (!done) {
                resumeWhenDrained(spool.writeQueueFull(), spool::drainHandler);
            }
        });
    }

    private void spool(Buffer piece) {
        try {
            spool.write(piece);
        } catch (ApiException full) {
            refuse(full);
            return;
        }
        resumeWhenDrained(spool.writeQueueFull(), spool::drainHandler);
    }

    /** Reads on from the client now, or when the stream written to has room again. */
    private void resumeWhenDrained(boolean full, Consumer<Handler<Void>> drainHandler) {
        if (full) {
            request.pause();
            drainHandler.accept(drained -> {
                if (!done && !clientEnded) {
                    request.resume();
                }
            });
        } else if (!clientEnded) {
            request.resume();
        }
    }

    private void refuse(ApiException refusal) {
        if (done) {
            return;
        }
        done = true;
        request.pause();
        outcome.refuse(refusal);
    }

    private static ApiException tooMuchForm() {
        return ApiException.invalid("The form's fields and part headers (everything but the 'file' part) are larger"
                + " than " + TranscriptionForm.MAX_FORM_BYTES + " bytes");
    }

    private static long length(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
