package dev.mistralgateway.chat;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.mistralgateway.api.ErrorResponses;
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
 * longer, answering 503 ({@link ShutdownDrain}).
 */
@Singleton
public class Answers {

    private final SseRelay relay;
    private final ShutdownDrain drain;
    private final ErrorResponses errors;

    Answers(SseRelay relay, ShutdownDrain drain, ErrorResponses errors) {
        this.relay = relay;
        this.drain = drain;
        this.errors = errors;
    }

    /** The response to {@code request}: {@code plain}'s answer, or, when {@code stream}, the events of {@code events}. */
    public Uni<Response> answer(RoutingContext request, boolean stream, Supplier<Uni<MistralAnswer>> plain,
            Supplier<Uni<Multi<String>>> events) {
        if (request.response().closed()) {
            // Gone while the body was being read: nobody waits for an answer, so Mistral is not called.
            return Uni.createFrom().failure(new MistralCancelledException());
        }
        ShutdownDrain.InFlight inFlight = drain.track(Vertx.currentContext());
        if (inFlight == null) {
            return Uni.createFrom().failure(ShutdownDrain.shuttingDown());
        }
        request.addEndHandler(ended -> inFlight.done());
        Uni<Response> answer = stream
                ? events.get().map(opened -> Response.ok(new EventStream(relay.relay(opened), inFlight, relay.shutdownEvent()))
                        .type(MediaType.SERVER_SENT_EVENTS_TYPE)
                        .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                        // Proxies such as nginx must pass each event on at once.
                        .header("X-Accel-Buffering", "no")
                        .build())
                : plain.get().map(answered -> Response.ok(answered.body(), MediaType.APPLICATION_JSON_TYPE).build());
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
