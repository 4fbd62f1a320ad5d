package dev.mistralgateway.chat;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * A stream's server-sent events on their way to the client: the entity of a streamed answer, written by
 * {@link EventStreamWriter}. Events are written as they come, with backpressure: at most {@value #IN_FLIGHT} are
 * requested ahead of the socket, so a slow client slows the relay instead of filling the gateway's memory. Events that
 * arrive in one turn of the event loop (Mistral often sends several in one packet) go out in one write, and the last
 * ones with the end of the response. A client that leaves cancels the stream; a shutdown that cannot wait longer ends
 * it with the relay's error event.
 */
public final class EventStream {

    private static final int IN_FLIGHT = 16;

    private final Multi<Buffer> events;
    private final ShutdownDrain.InFlight inFlight;
    private final Buffer shutdownEvent;

    EventStream(Multi<Buffer> events, ShutdownDrain.InFlight inFlight, Buffer shutdownEvent) {
        this.events = events;
        this.inFlight = inFlight;
        this.shutdownEvent = shutdownEvent;
    }

    /**
     * Writes the events to {@code response} (its head is set), on {@code context}; {@code finished} runs once, when
     * the response has ended or the client has gone.
     */
    void writeTo(HttpServerResponse response, Context context, Runnable finished) {
        Writer writer = new Writer(response, context, shutdownEvent, finished);
        inFlight.onShutdown(writer::shutDown);
        events.subscribe().withSubscriber(writer);
    }

    private static final class Writer implements Flow.Subscriber<Buffer> {

        private final HttpServerResponse response;
        private final Context context;
        private final Buffer shutdownEvent;
        private final Runnable finished;
        private final AtomicBoolean over = new AtomicBoolean();
        private Flow.Subscription subscription;
        private Buffer pending;
        private int pendingEvents;
        private boolean flushScheduled;
        private boolean completed;

        Writer(HttpServerResponse response, Context context, Buffer shutdownEvent, Runnable finished) {
            this.response = response;
            this.context = context;
            this.shutdownEvent = shutdownEvent;
            this.finished = finished;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            response.closeHandler(closed -> {
                subscription.cancel();
                finish();
            });
            if (response.closed()) {
                subscription.cancel();
                finish();
                return;
            }
            subscription.request(IN_FLIGHT);
        }

        @Override
        public synchronized void onNext(Buffer event) {
            if (pending == null) {
                pending = Buffer.buffer(event.length());
            }
            pending.appendBuffer(event);
            pendingEvents++;
            scheduleFlush();
        }

        @Override
        public void onError(Throwable failure) {
            // The relay turns failures into a final error event, so this is a bug: end what was sent.
            response.reset();
            finish();
        }

        @Override
        public synchronized void onComplete() {
            completed = true;
            scheduleFlush();
        }

        private void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                context.runOnContext(ignored -> flush());
            }
        }

        /** The gateway is stopping: the upstream is cancelled and the client gets what is pending and the error event. */
        void shutDown() {
            if (subscription != null) {
                subscription.cancel();
            }
            Buffer last;
            synchronized (this) {
                last = pending == null ? Buffer.buffer() : pending;
                pending = null;
                completed = true;
            }
            if (!response.closed() && !response.ended()) {
                response.end(last.appendBuffer(shutdownEvent));
            }
            finish();
        }

        private void flush() {
            Buffer events;
            int count;
            boolean end;
            synchronized (this) {
                events = pending;
                count = pendingEvents;
                end = completed;
                pending = null;
                pendingEvents = 0;
                flushScheduled = false;
            }
            if (response.closed() || response.ended()) {
                return;
            }
            if (end) {
                response.end(events == null ? Buffer.buffer() : events);
                finish();
            } else if (events != null) {
                response.write(events).onComplete(written -> {
                    if (written.succeeded()) {
                        subscription.request(count);
                    } else {
                        subscription.cancel();
                    }
                });
            }
        }

        private void finish() {
            if (over.compareAndSet(false, true)) {
                finished.run();
            }
        }
    }
}
