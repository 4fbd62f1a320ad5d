package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import dev.mistralgateway.config.MistralConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Mistral's streaming chat over Vert.x' HTTP client: pooled keep-alive connections, one pool per event loop (as for
 * plain calls, so a stream's bytes never cross threads), backpressure to Mistral ({@link SseStream}), and a request
 * that a cancellation resets at any point, before the response head too.
 * A connection goes back to the pool only when its response ended, and is closed only by resetting a request that has
 * not (why this is not the REST client's SSE support: src/docs/decisions.md).
 */
final class MistralStreams {

    private final Vertx vertx;
    private final MistralConnections connections;
    /** Takes the headers of every answer, for the key it came on (its rate limits). */
    private final BiConsumer<UpstreamKey, MultiMap> answered;
    private final long maxEventBytes;
    private final Duration idle;

    MistralStreams(Vertx vertx, MistralConnections connections, MistralConfig config,
            BiConsumer<UpstreamKey, MultiMap> answered) {
        this.vertx = vertx;
        this.connections = connections;
        this.answered = answered;
        this.maxEventBytes = config.maxStreamEventSize().asLongValue();
        this.idle = config.timeout().streamIdle();
    }

    /**
     * Sends the request to {@code path} (relative to {@code /v1}, e.g. {@code chat/completions}); completes with the
     * stream once Mistral sent its first event (or ended without any), fails on a non-2xx answer or a broken
     * connection before that. {@code cancellation} resets the request whenever it comes. Sent on {@code key}.
     */
    Uni<Multi<String>> open(String path, UpstreamKey key, byte[] body, Cancellation cancellation) {
        return Uni.createFrom().emitter(emitter -> {
            HttpClient client = connections.client();
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(connections.uri("/v1/" + path))
                    .putHeader(HttpHeaders.AUTHORIZATION, key.authorization())
                    .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                    .putHeader(HttpHeaders.ACCEPT, MediaType.SERVER_SENT_EVENTS);
            AtomicBoolean handedOver = new AtomicBoolean();
            client.request(request).onComplete(created -> {
                if (created.failed()) {
                    emitter.fail(MistralClient.translate(created.cause()));
                    return;
                }
                HttpClientRequest sent = created.result();
                // Failures reach the response future or the stream; nothing is left for Vert.x to log as unhandled.
                sent.exceptionHandler(ignored -> {
                });
                // Reset unless the stream took over: cancelled, or ended before a response was read (a no-op after).
                emitter.onTermination(() -> {
                    if (!handedOver.get()) {
                        sent.reset();
                    }
                });
                cancellation.onCancel(sent::reset);
                sent.send(Buffer.buffer(body)).onComplete(response -> {
                    if (response.failed()) {
                        emitter.fail(MistralClient.translate(response.cause()));
                    } else {
                        answered.accept(key, response.result().headers());
                        read(sent, response.result(), emitter, cancellation, handedOver);
                    }
                });
            });
        });
    }

    private void read(HttpClientRequest request, HttpClientResponse response, UniEmitter<? super Multi<String>> emitter,
            Cancellation cancellation, AtomicBoolean handedOver) {
        response.pause();
        int status = response.statusCode();
        if (status / 100 != 2) {
            MistralCalls.errorOf(response).onComplete(read -> emitter.fail(read.succeeded() ? read.result()
                    : MistralClient.translate(read.cause())));
            return;
        }
        SseStream[] stream = new SseStream[1];
        stream[0] = new SseStream(vertx, Vertx.currentContext(), request, response, maxEventBytes, idle, failure -> {
            if (failure == null) {
                handedOver.set(true);
                emitter.complete(Multi.createFrom().publisher(stream[0]));
            } else {
                emitter.fail(failure);
            }
        });
        cancellation.onCancel(stream[0]::cancel);
    }
}
