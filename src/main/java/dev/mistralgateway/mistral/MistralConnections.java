package dev.mistralgateway.mistral;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mistralgateway.config.MistralConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * The connections to Mistral: one Vert.x HTTP client, so one pool of keep-alive connections, per event loop. A pool
 * shared by all event loops lends a connection owned by one event loop to a request on another, and every request and
 * response then crosses threads (two wake-ups per call; measured with plain answers: 6,800 -> 9,100-10,400
 * requests/s on 2 cores, src/docs/performance.md). Callers off the event loop (the health probe's scheduler) share
 * one more client.
 */
final class MistralConnections {

    private final String basePath;
    private final ThreadLocal<HttpClient> eventLoopClient;
    private final HttpClient sharedClient;
    private final List<HttpClient> clients = new CopyOnWriteArrayList<>();

    MistralConnections(Vertx vertx, URI baseUrl, MistralConfig config, HttpClientOptions tls) {
        boolean https = "https".equalsIgnoreCase(baseUrl.getScheme());
        HttpClientOptions options = new HttpClientOptions(tls)
                .setSsl(https)
                .setDefaultHost(baseUrl.getHost())
                .setDefaultPort(baseUrl.getPort() > 0 ? baseUrl.getPort() : https ? 443 : 80)
                .setConnectTimeout((int) config.timeout().connect().toMillis())
                .setKeepAlive(true)
                // Closed by us before a server's usual idle timeout (60 s and more), so a connection taken from the pool
                // is not one the server is closing at that moment.
                .setKeepAliveTimeout(30)
                .setTcpNoDelay(true);
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.connectionPoolSize());
        this.basePath = baseUrl.getPath() == null ? "" : baseUrl.getPath().replaceAll("/+$", "");
        this.sharedClient = track(vertx.createHttpClient(options, pool));
        this.eventLoopClient = ThreadLocal.withInitial(() -> track(vertx.createHttpClient(options, pool)));
    }

    private HttpClient track(HttpClient client) {
        clients.add(client);
        return client;
    }

    /** The client of the calling event loop, whose connections live on that event loop. */
    HttpClient client() {
        return Context.isOnEventLoopThread() ? eventLoopClient.get() : sharedClient;
    }

    /** The request URI of an API path ({@code /v1/...}) under the configured base URL's own path. */
    String uri(String path) {
        return basePath + path;
    }

    void close() {
        clients.forEach(HttpClient::close);
    }
}
