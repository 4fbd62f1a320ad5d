package dev.mistralgateway.chat;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.api.JsonPostRoutes;
import dev.mistralgateway.calls.UpstreamCalls;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.MistralAnswer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Chat completions, plain or streamed: {@code POST /api/chat} (the gateway's simple path, which the smoke test uses)
 * and {@code POST /v1/chat/completions} (Mistral's own path, for the Mistral and OpenAI SDKs). The body decides between
 * one JSON answer and server-sent events ({@code "stream": true}): a plain answer is one write with a Content-Length,
 * and a stream's events go straight to the socket. Served as {@link JsonPostRoutes}; every refusal and failure is
 * answered by {@link ErrorResponses}, as in the rest of the API.
 */
@Singleton
public class ChatRoutes {

    static final List<String> PATHS = List.of("/api/chat", "/v1/chat/completions");

    private final ChatRequestValidator validator;
    private final UpstreamCalls upstream;
    private final SseRelay relay;
    private final JsonPostRoutes routes;
    private final ErrorResponses errors;
    private final ShutdownDrain drain;

    ChatRoutes(ChatRequestValidator validator, UpstreamCalls upstream, SseRelay relay, JsonPostRoutes routes,
            ErrorResponses errors, ShutdownDrain drain) {
        this.validator = validator;
        this.upstream = upstream;
        this.relay = relay;
        this.routes = routes;
        this.errors = errors;
        this.drain = drain;
    }

    void install(@Observes Router router) {
        for (String path : PATHS) {
            routes.post(router, path, this::complete);
        }
    }

    private void complete(RoutingContext context, ObjectNode body) {
        ChatCall call;
        try {
            call = validator.validate(body);
            RequestRecord.current().model(call.model(), call.stream());
        } catch (ApiException refused) {
            errors.fail(context, refused);
            return;
        }
        respond(context, call.stream(), () -> upstream.complete(call.upstreamBody(), call.model()), () -> upstream.stream(call.upstreamBody()));
    }

    /**
     * Answers a validated request with Mistral's answer: one JSON write, or, for a stream, its events as they come.
     * Every endpoint that may stream Mistral's events answers through here; a client that goes away stops the Mistral
     * call it was waiting for (a stream's writer takes this over).
     */
    public void respond(RoutingContext context, boolean stream, Supplier<Uni<MistralAnswer>> plain,
            Supplier<Uni<Multi<String>>> events) {
        HttpServerResponse response = context.response();
        Context requestContext = Vertx.currentContext();
        ShutdownDrain.InFlight inFlight = drain.track(requestContext);
        if (inFlight == null) {
            errors.refuse(context, ShutdownDrain.shuttingDown());
            return;
        }
        context.addEndHandler(ended -> inFlight.done());
        // A client that goes away (or a shutdown that cannot wait longer) cancels the Mistral call the request was
        // waiting for, through the guard (see Cancellation); a stream's writer takes this over.
        AtomicReference<Cancellable> pending = new AtomicReference<>();
        Runnable cancel = () -> {
            Cancellable running = pending.getAndSet(null);
            if (running != null) {
                running.cancel();
            }
        };
        response.closeHandler(closed -> cancel.run());
        inFlight.onShutdown(() -> {
            cancel.run();
            errors.refuse(context, ShutdownDrain.shuttingDown());
        });
        pending.set(stream
                ? events.get().subscribe().with(opened -> relay(response, opened, requestContext, inFlight),
                        failure -> errors.fail(context, failure))
                : plain.get().subscribe().with(answer -> routes.answer(context, answer.body()),
                        failure -> errors.fail(context, failure)));
        if (response.closed()) {
            // Gone while the body was being parsed, before the close handler was set.
            cancel.run();
        }
    }

    /** Mistral sent the first event: the response head goes out with it, then each event as it arrives. */
    private void relay(HttpServerResponse response, Multi<String> events, Context requestContext,
            ShutdownDrain.InFlight inFlight) {
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.SERVER_SENT_EVENTS)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                // Proxies such as nginx must pass each event on at once.
                .putHeader("X-Accel-Buffering", "no");
        EventWriter writer = new EventWriter(response, requestContext, relay.shutdownEvent());
        inFlight.onShutdown(writer::shutDown);
        relay.relay(events).subscribe().withSubscriber(writer);
    }

    /**
     * Writes events to the client as they come, with backpressure: at most {@value #IN_FLIGHT} events are requested
     * ahead of the socket, so a slow client slows the relay instead of filling the gateway's memory. Events that
     * arrive in one turn of the event loop (Mistral often sends several in one packet) go out in one write, and the
     * last ones with the end of the response. A client that leaves cancels the stream.
     */
    private static final class EventWriter implements Flow.Subscriber<Buffer> {

        private static final int IN_FLIGHT = 16;

        private final HttpServerResponse response;
        private final Context context;
        private final Buffer shutdownEvent;
        private Flow.Subscription subscription;
        private Buffer pending;
        private int pendingEvents;
        private boolean flushScheduled;
        private boolean completed;

        EventWriter(HttpServerResponse response, Context context, Buffer shutdownEvent) {
            this.response = response;
            this.context = context;
            this.shutdownEvent = shutdownEvent;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            response.closeHandler(closed -> subscription.cancel());
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
    }
}
