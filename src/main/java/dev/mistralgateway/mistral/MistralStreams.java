package dev.mistralgateway.mistral;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import dev.mistralgateway.config.MistralConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Mistral's streaming chat over Vert.x' HTTP client: pooled keep-alive connections, one pool per event loop (as for
 * plain calls, so a stream's bytes never cross threads), backpressure to Mistral ({@link SseStream}), and a request
 * that a cancellation resets at any point, before the response head too.
 * <p>
 * Why not the REST client, as before: its SSE support cannot be cancelled before the first event arrives (the stream
 * went on upstream), reads at full speed whatever the subscriber asks for, and closes a stream's connection after
 * the stream ended, when the pool may already have handed the connection to the next request ("Connection was
 * closed" under concurrent streams, so streams had to open a connection each). Here a connection goes back to the
 * pool only when its response ended, and is closed only by resetting a request that has not.
 */
final class MistralStreams {

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final String basePath;
    private final long maxEventBytes;
    private final Duration idle;
    private final ThreadLocal<HttpClient> eventLoopClient;
    private final HttpClient sharedClient;
    private final List<HttpClient> clients = new CopyOnWriteArrayList<>();

    MistralStreams(Vertx vertx, URI baseUrl, MistralConfig config, HttpClientOptions tls) {
        this.vertx = vertx;
        boolean https = "https".equalsIgnoreCase(baseUrl.getScheme());
        this.options = new HttpClientOptions(tls)
                .setSsl(https)
                .setDefaultHost(baseUrl.getHost())
                .setDefaultPort(baseUrl.getPort() > 0 ? baseUrl.getPort() : https ? 443 : 80)
                .setConnectTimeout((int) config.timeout().connect().toMillis())
                .setKeepAlive(true)
                // Closed by us before a server's usual idle timeout (60 s and more), so a connection taken from the pool
                // is not one the server is closing at that moment.
                .setKeepAliveTimeout(30)
                .setTcpNoDelay(true);
        this.pool = new PoolOptions().setHttp1MaxSize(config.connectionPoolSize());
        this.basePath = (baseUrl.getPath() == null ? "" : baseUrl.getPath().replaceAll("/+$", "")) + "/v1/";
        this.maxEventBytes = config.maxResponseSize().asLongValue();
        this.idle = config.timeout().streamIdle();
        this.sharedClient = track(vertx.createHttpClient(options, pool));
        this.eventLoopClient = ThreadLocal.withInitial(() -> track(vertx.createHttpClient(options, pool)));
    }

    private HttpClient track(HttpClient client) {
        clients.add(client);
        return client;
    }

    void close() {
        clients.forEach(HttpClient::close);
    }

    /**
     * Sends the request to {@code path} (relative to {@code /v1}, e.g. {@code chat/completions}); completes with the
     * stream once Mistral sent its first event (or ended without any), fails on a non-2xx answer or a broken
     * connection before that. {@code cancellation} resets the request whenever it comes.
     */
    Uni<Multi<String>> open(String path, String authorization, byte[] body, Cancellation cancellation) {
        return Uni.createFrom().emitter(emitter -> {
            HttpClient client = Context.isOnEventLoopThread() ? eventLoopClient.get() : sharedClient;
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(basePath + path)
                    .putHeader(HttpHeaders.AUTHORIZATION, authorization)
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
                sent.send(Buffer.buffer(body)).onComplete(answered -> {
                    if (answered.failed()) {
                        emitter.fail(MistralClient.translate(answered.cause()));
                    } else {
                        read(sent, answered.result(), emitter, cancellation, handedOver);
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
            String retryAfter = response.getHeader(HttpHeaders.RETRY_AFTER);
            response.body().onComplete(read -> emitter.fail(read.succeeded()
                    ? new MistralApiException(status, MistralErrorMapper.message(status, read.result().toString()),
                            MistralErrorMapper.retryAfter(retryAfter))
                    : MistralClient.translate(read.cause())));
            response.resume();
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
