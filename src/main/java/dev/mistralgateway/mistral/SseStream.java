package dev.mistralgateway.mistral;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * One server-sent event stream from Mistral, read only as fast as its subscriber takes the events: the response is
 * paused, and the next network buffer is fetched only when every event parsed so far was delivered and another is
 * wanted. A slow client thus holds at most one buffer of events here and the rest waits in Mistral's TCP window
 * (before: the stream was pulled at full speed into an unbounded queue; 200 slow readers of 1.2 MB streams took RSS
 * from 184 to 379 MB). Each item is the data of one event, {@code [DONE]} included; other SSE fields are ignored.
 * <p>
 * Every method runs on the stream's Vert.x context (the event loop its connection belongs to); calls from elsewhere
 * hop onto it. A stream cancelled before its end resets its request, which closes its connection: a connection is
 * only handed back to the pool by a response that ended.
 */
final class SseStream implements Flow.Publisher<String>, Flow.Subscription {

    private final Vertx vertx;
    private final Context context;
    private final HttpClientRequest request;
    private final HttpClientResponse response;
    private final long maxEventBytes;
    private final Duration idle;
    private final ArrayDeque<String> events = new ArrayDeque<>();
    private final StringBuilder data = new StringBuilder();
    private Buffer partial = Buffer.buffer();
    /** How many bytes of {@link #partial} were already searched for a line end. */
    private int scanned;
    private boolean hasData;
    private Consumer<Throwable> opened;
    private Flow.Subscriber<? super String> subscriber;
    private long demand;
    private boolean fetching;
    private long idleTimer = -1;
    private boolean ended;
    private Throwable failure;
    private boolean done;

    /** Starts reading {@code response} (paused); {@code opened} is called once, when the first event (or the end) came. */
    SseStream(Vertx vertx, Context context, HttpClientRequest request, HttpClientResponse response, long maxEventBytes,
            Duration idle, Consumer<Throwable> opened) {
        this.vertx = vertx;
        this.context = context;
        this.request = request;
        this.response = response;
        this.maxEventBytes = maxEventBytes;
        this.idle = idle;
        this.opened = opened;
        response.handler(this::received);
        response.endHandler(end -> end(null));
        response.exceptionHandler(this::end);
        drain();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super String> subscriber) {
        onContext(() -> {
            if (this.subscriber != null) {
                subscriber.onSubscribe(this);
                subscriber.onError(new IllegalStateException("A Mistral stream can be read once"));
                return;
            }
            this.subscriber = subscriber;
            subscriber.onSubscribe(this);
            drain();
        });
    }

    @Override
    public void request(long n) {
        onContext(() -> {
            demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
            drain();
        });
    }

    @Override
    public void cancel() {
        onContext(() -> {
            if (!done) {
                done = true;
                stopIdleTimer();
                events.clear();
                if (!ended) {
                    // Mid-response, the connection cannot carry another request: reset closes it.
                    request.reset();
                }
            }
        });
    }

    private void received(Buffer chunk) {
        fetching = false;
        stopIdleTimer();
        partial.appendBuffer(chunk);
        // Only the new bytes are scanned: rescanning the whole partial line for every buffer made one large event cost
        // the square of its size (a 9.5 MB event took 29 CPU-seconds).
        int start = 0;
        for (int i = scanned; i < partial.length(); i++) {
            if (partial.getByte(i) == '\n') {
                int end = i > start && partial.getByte(i - 1) == '\r' ? i - 1 : i;
                line(partial.getString(start, end, StandardCharsets.UTF_8.name()));
                start = i + 1;
            }
        }
        partial = start == 0 ? partial : partial.getBuffer(start, partial.length());
        scanned = partial.length();
        if (partial.length() + data.length() > maxEventBytes) {
            // Ended first: the reset fails the response too, and that must not be what the client is told.
            end(new MistralProtocolException("A stream event from Mistral is over the gateway's limit of " + maxEventBytes
                    + " bytes (mistral.max-stream-event-size)", null));
            request.reset();
            return;
        }
        drain();
    }

    private void line(String line) {
        if (line.isEmpty()) {
            if (hasData) {
                events.add(data.toString());
                data.setLength(0);
                hasData = false;
            }
        } else if (line.startsWith("data:")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(line, line.startsWith("data: ") ? 6 : 5, line.length());
            hasData = true;
        }
    }

    private void end(Throwable failure) {
        if (ended) {
            return;
        }
        ended = true;
        fetching = false;
        stopIdleTimer();
        this.failure = failure == null ? null : MistralClient.translate(failure);
        drain();
    }

    private void drain() {
        if (done) {
            return;
        }
        if (opened != null && (!events.isEmpty() || ended)) {
            Consumer<Throwable> open = opened;
            opened = null;
            // Before the first event a failure is the attempt's (retried, counted by the breaker); after it, the stream's.
            open.accept(events.isEmpty() ? failure : null);
            if (events.isEmpty() && failure != null) {
                done = true;
                return;
            }
        }
        if (subscriber == null) {
            if (opened != null) {
                fetch();
            }
            return;
        }
        while (demand > 0 && !events.isEmpty() && !done) {
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            subscriber.onNext(events.poll());
        }
        if (done) {
            return;
        }
        if (events.isEmpty() && ended) {
            done = true;
            if (failure == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(failure);
            }
        } else if (events.isEmpty() && demand > 0) {
            fetch();
            startIdleTimer();
        }
    }

    private void fetch() {
        if (!fetching && !ended) {
            fetching = true;
            response.fetch(1);
        }
    }

    /** Mistral's silence counts only while an event is wanted: a slow client is not a stalled Mistral. */
    private void startIdleTimer() {
        if (idleTimer < 0 && !ended) {
            idleTimer = vertx.setTimer(idle.toMillis(), id -> {
                idleTimer = -1;
                end(new MistralTimeoutException("Mistral sent no stream event for " + idle.toMillis() + " ms", null));
                request.reset();
            });
        }
    }

    private void stopIdleTimer() {
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
            idleTimer = -1;
        }
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
