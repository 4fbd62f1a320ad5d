package dev.mistralgateway.chat;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.metrics.RequestRecord;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Chat completions, plain or streamed: {@code POST /api/chat} (the checklist's smoke-test path) and
 * {@code POST /v1/chat/completions} (Mistral's own path, for the Mistral and OpenAI SDKs). The body decides between
 * one JSON answer and server-sent events ({@code "stream": true}).
 * <p>
 * These are Vert.x routes, not JAX-RS resources: JAX-RS fixes the kind of response per method, and the one kind
 * that serves both (a {@code RestMulti}) sends every plain answer as a chunked stream, at about a quarter more CPU per
 * call (measured). Here a plain answer is one write with a Content-Length, and a stream's events go straight to the
 * socket. Every refusal and failure is answered by {@link ErrorResponses}, as in the rest of the API.
 */
@ApplicationScoped
public class ChatRoutes {

    static final List<String> PATHS = List.of("/api/chat", "/v1/chat/completions");
    static final String UNSUPPORTED_MEDIA_TYPE = "Send the body as JSON with 'Content-Type: application/json'";

    private final ChatRequestValidator validator;
    private final ChatService chat;
    private final SseRelay relay;
    private final ObjectMapper json;
    private final ErrorResponses errors;
    private final long maxBodyBytes;

    ChatRoutes(ChatRequestValidator validator, ChatService chat, SseRelay relay, ObjectMapper json, ErrorResponses errors,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.validator = validator;
        this.chat = chat;
        this.relay = relay;
        this.json = json;
        this.errors = errors;
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        for (String path : PATHS) {
            router.route(path).handler(this::checkRequest);
            router.post(path)
                    // A chunked body over the limit ends the read with 413 (declared lengths are refused earlier).
                    .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                    .handler(this::complete)
                    .failureHandler(this::failed);
        }
    }

    /** Method and media type, before a byte of the body is read. */
    private void checkRequest(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST) {
            context.response().putHeader(HttpHeaders.ALLOW, "POST");
            errors.refuse(context, new ApiException(405, "method_not_allowed", "Use POST", null));
        } else if (!isJson(context.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            errors.refuse(context, new ApiException(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, null));
        } else {
            context.next();
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
        return type.equals(MediaType.APPLICATION_JSON) || type.startsWith("application/") && type.endsWith("+json");
    }

    private void complete(RoutingContext context) {
        ChatCall call;
        try {
            Buffer body = context.body().buffer();
            JsonNode request = body == null ? null : json.readTree(body.getBytes());
            call = validator.validate(JsonBody.object(request));
            RequestRecord.current().model(call.model(), call.stream());
            chat.checkBudget();
        } catch (ApiException | IOException refused) {
            errors.fail(context, refused);
            return;
        }
        HttpServerResponse response = context.response();
        Context requestContext = Vertx.currentContext();
        // A client that goes away stops the Mistral call it was waiting for (a stream's writer takes this over).
        AtomicReference<Cancellable> pending = new AtomicReference<>();
        response.closeHandler(closed -> {
            Cancellable running = pending.get();
            if (running != null) {
                running.cancel();
            }
        });
        pending.set(call.stream()
                ? chat.stream(call).subscribe().with(events -> relay(response, events, requestContext),
                        failure -> errors.fail(context, failure))
                : chat.complete(call).subscribe().with(answer -> answer(context, answer), failure -> errors.fail(context, failure)));
    }

    private void answer(RoutingContext context, JsonNode answer) {
        HttpServerResponse response = context.response();
        if (response.closed()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            errors.fail(context, new IllegalStateException("A parsed JSON tree could not be written back", e));
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).end(Buffer.buffer(bytes));
    }

    /** Mistral sent the first event: the response head goes out with it, then each event as it arrives. */
    private void relay(HttpServerResponse response, Multi<String> events, Context requestContext) {
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.SERVER_SENT_EVENTS)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                // Proxies such as nginx must pass each event on at once.
                .putHeader("X-Accel-Buffering", "no");
        relay.relay(events).subscribe().withSubscriber(new EventWriter(response, requestContext));
    }

    private void failed(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure == null && context.statusCode() == 413) {
            errors.refuse(context, ApiException.tooLarge(maxBodyBytes));
        } else if (failure == null) {
            errors.refuse(context, ApiException.invalid("Request body could not be read"));
        } else {
            errors.fail(context, failure);
        }
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
        private Flow.Subscription subscription;
        private Buffer pending;
        private int pendingEvents;
        private boolean flushScheduled;
        private boolean completed;

        EventWriter(HttpServerResponse response, Context context) {
            this.response = response;
            this.context = context;
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
            if (response.closed()) {
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
