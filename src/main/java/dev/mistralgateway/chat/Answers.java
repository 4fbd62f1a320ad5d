package dev.mistralgateway.chat;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.cache.CacheDecision;
import dev.mistralgateway.cache.CachedStreams;
import dev.mistralgateway.cache.ResponseCache;
import dev.mistralgateway.mistral.MistralAnswer;
import dev.mistralgateway.mistral.MistralCancelledException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Mistral's answer to a validated request, as the resource's response: one JSON body with its length, or, for a
 * stream, its events as they come ({@link EventStream}). Every endpoint that may stream Mistral's events answers through
 * here. A client that goes away cancels the Mistral call it was waiting for (Quarkus REST cancels the returned
 * {@code Uni} when the connection closes; a stream's writer takes this over), and so does a shutdown that cannot wait
 * longer, answering 503 ({@link ShutdownDrain}). A request the cache answers ({@link ResponseCache}) never calls
 * Mistral: its cached answer is sent as it was, or replayed as a stream; a miss is stored once Mistral answered.
 */
@Singleton
public class Answers {

    private final SseRelay relay;
    private final ShutdownDrain drain;
    private final ErrorResponses errors;
    private final ResponseCache cache;
    private final ObjectMapper json;

    Answers(SseRelay relay, ShutdownDrain drain, ErrorResponses errors, ResponseCache cache, ObjectMapper json) {
        this.relay = relay;
        this.drain = drain;
        this.errors = errors;
        this.cache = cache;
        this.json = json;
    }

    /** The response to {@code request}: {@code plain}'s answer, or, when {@code stream}, the events of {@code events}. */
    public Uni<Response> answer(RoutingContext request, boolean stream, Supplier<Uni<MistralAnswer>> plain,
            Supplier<Uni<Multi<String>>> events) {
        return answer(request, stream, CacheDecision.NOT_ASKED, plain, events);
    }

    /** As {@link #answer(RoutingContext, boolean, Supplier, Supplier)}, from the cache when {@code cached} says so. */
    public Uni<Response> answer(RoutingContext request, boolean stream, CacheDecision cached,
            Supplier<Uni<MistralAnswer>> plain, Supplier<Uni<Multi<String>>> events) {
        if (request.response().closed()) {
            // Gone while the body was being read: nobody waits for an answer, so Mistral is not called.
            return Uni.createFrom().failure(new MistralCancelledException());
        }
        ShutdownDrain.InFlight inFlight = drain.track(Vertx.currentContext());
        if (inFlight == null) {
            return Uni.createFrom().failure(ShutdownDrain.shuttingDown());
        }
        request.addEndHandler(ended -> inFlight.done());
        Uni<Response> answer = !cached.lookup()
                ? fromMistral(stream, cached, inFlight, plain, events)
                : cache.get(cached.key()).chain(hit -> {
                    if (hit != null) {
                        return Uni.createFrom().item(() -> fromCache(stream, cached, inFlight, hit));
                    }
                    cache.countMiss(cached.endpoint());
                    return fromMistral(stream, cached, inFlight, plain, events);
                });
        AtomicReference<Cancellable> call = new AtomicReference<>();
        return Uni.createFrom().<Response> emitter(emitter -> {
            call.set(answer.subscribe().with(emitter::complete, emitter::fail));
            inFlight.onShutdown(() -> {
                call.get().cancel();
                emitter.fail(ShutdownDrain.shuttingDown());
            });
        }).onCancellation().invoke(() -> {
            Cancellable running = call.get();
            if (running != null) {
                running.cancel();
            }
        });
    }

    private Uni<Response> fromMistral(boolean stream, CacheDecision cached, ShutdownDrain.InFlight inFlight,
            Supplier<Uni<MistralAnswer>> plain, Supplier<Uni<Multi<String>>> events) {
        String header = cached.asked() ? cached.missHeader() : null;
        if (stream) {
            return events.get().map(opened -> events(relay.relay(cached.lookup() ? stored(opened, cached) : opened),
                    inFlight, header));
        }
        return plain.get().map(answered -> {
            if (cached.lookup()) {
                cache.put(cached.key(), answered.body());
            }
            return json(answered.body(), header);
        });
    }

    /** A hit: the answer as it was cached, or replayed as a stream; nothing is booked, the saving is counted. */
    private Response fromCache(boolean stream, CacheDecision cached, ShutdownDrain.InFlight inFlight, Buffer hit) {
        ObjectNode answer;
        try {
            answer = (ObjectNode) json.readTree(hit.getBytes());
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("A cached answer is not a JSON object", e);
        }
        cache.countHit(cached.endpoint(), answer);
        if (!stream) {
            return json(hit, CacheDecision.HIT);
        }
        Multi<Buffer> replay = Multi.createFrom().iterable(CachedStreams.replay(answer)).map(SseRelay::frame);
        return events(replay, inFlight, CacheDecision.HIT);
    }

    /** The stream's events, passed on as they come, and its answer cached once it ended well. */
    private Multi<String> stored(Multi<String> events, CacheDecision cached) {
        CachedStreams.Capture capture = new CachedStreams.Capture(json);
        return events.invoke(capture::accept).onCompletion().invoke(() -> {
            ObjectNode answer = capture.answer();
            if (answer != null) {
                cache.put(cached.key(), Buffer.buffer(answer.toString()));
            }
        });
    }

    private static Response json(Buffer body, String cacheHeader) {
        Response.ResponseBuilder response = Response.ok(body, MediaType.APPLICATION_JSON_TYPE);
        if (cacheHeader != null) {
            response.header(CacheDecision.HEADER, cacheHeader);
        }
        return response.build();
    }

    private Response events(Multi<Buffer> events, ShutdownDrain.InFlight inFlight, String cacheHeader) {
        Response.ResponseBuilder response = Response.ok(new EventStream(events, inFlight, relay.shutdownEvent()))
                .type(MediaType.SERVER_SENT_EVENTS_TYPE)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                // Proxies such as nginx must pass each event on at once.
                .header("X-Accel-Buffering", "no");
        if (cacheHeader != null) {
            response.header(CacheDecision.HEADER, cacheHeader);
        }
        return response.build();
    }

    /**
     * For a Vert.x route (the audio upload, read as it streams): {@code plain}'s answer written to {@code request},
     * with the same cancellation, drain and errors as {@link #answer}.
     */
    public void respond(RoutingContext request, Supplier<Uni<MistralAnswer>> plain) {
        Cancellable answer = answer(request, false, plain, null).subscribe().with(response -> {
            if (!request.response().closed()) {
                request.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                        .end((Buffer) response.getEntity());
            }
        }, failure -> errors.fail(request, failure));
        request.response().closeHandler(closed -> answer.cancel());
        if (request.response().closed()) {
            answer.cancel();
        }
    }
}
