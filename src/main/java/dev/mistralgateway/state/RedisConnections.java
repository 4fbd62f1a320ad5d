package dev.mistralgateway.state;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.proxy.ProxyConfigurationRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.client.VertxRedisClientFactory;
import io.quarkus.redis.runtime.client.config.RedisClientConfig;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.config.SmallRyeConfig;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection per event loop, so that a request's Redis call is written and answered on the event loop
 * that serves the request. The Vert.x Redis client keeps all of its pooled connections on the event loop that
 * created it: with one client for the pod, every call from the other loops crossed to that loop and back (three
 * hand-offs a call, with the pool's lease and return), and at 32 connections that loop carried every Redis answer
 * besides its share of HTTP (src/docs/performance.md, scenario 6). Each connection here is also pipelined: calls
 * from one loop share it without waiting for each other's answers, so redis-server reads several in one go.
 * <p>
 * A loop's connection is opened on its first call; until it is open (and again while it reconnects after Redis
 * dropped it), calls go through the pod's shared client, which the start warmed up, so that no call waits for a
 * connection under the short {@code gateway.state.timeout}. Calls from a thread that is no event loop (the start,
 * a worker) use the shared client too.
 */
final class RedisConnections {

    private static final Logger LOG = Logger.getLogger(RedisConnections.class);

    private final io.vertx.mutiny.redis.client.Redis shared;
    /** Makes a client from the application's {@code quarkus.redis.*} configuration, bound to the calling loop. */
    private final Supplier<Redis> clientOnThisLoop;
    private final Map<Thread, Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * The connections of the default Redis client: each loop's client is made by Quarkus' own factory from the same
     * {@code quarkus.redis.*} configuration (hosts, password, TLS, pool) as the shared one.
     */
    static RedisConnections of(ReactiveRedisDataSource shared, Vertx vertx, TlsConfigurationRegistry tls,
            ProxyConfigurationRegistry proxies) {
        RedisClientConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(RedisConfig.class).clients().get(RedisConfig.DEFAULT_CLIENT_NAME);
        return new RedisConnections(shared.getRedis(),
                () -> VertxRedisClientFactory.create(RedisConfig.DEFAULT_CLIENT_NAME, vertx, config, tls, proxies));
    }

    RedisConnections(io.vertx.mutiny.redis.client.Redis shared, Supplier<Redis> clientOnThisLoop) {
        this.shared = shared;
        this.clientOnThisLoop = clientOnThisLoop;
    }

    /** Sends a command on this event loop's connection, or the shared client when there is none (yet). */
    Uni<io.vertx.mutiny.redis.client.Response> execute(Command command, String... args) {
        Request request = Request.cmd(command);
        for (String arg : args) {
            request.arg(arg);
        }
        Context context = Vertx.currentContext();
        if (closed || context == null || !context.isEventLoopContext() || !Context.isOnEventLoopThread()) {
            return viaShared(request);
        }
        Lane lane = lanes.computeIfAbsent(Thread.currentThread(), thread -> new Lane(context));
        RedisConnection connection = lane.connection();
        if (connection == null) {
            return viaShared(request);
        }
        Future<Response> answer = connection.send(request);
        return Uni.createFrom().emitter(emitter -> answer.onComplete(result -> {
            if (result.succeeded()) {
                emitter.complete(io.vertx.mutiny.redis.client.Response.newInstance(result.result()));
            } else {
                emitter.fail(result.cause());
            }
        }));
    }

    private Uni<io.vertx.mutiny.redis.client.Response> viaShared(Request request) {
        return shared.send(io.vertx.mutiny.redis.client.Request.newInstance(request));
    }

    /** Closes every loop's client; later calls use the shared client, which Quarkus closes. */
    void close() {
        closed = true;
        lanes.values().forEach(Lane::close);
    }

    /** One event loop's client and connection; used only on that loop's thread, so it needs no locking. */
    private final class Lane {

        private final Context loop;
        private Redis client;
        private RedisConnection connection;
        private boolean connecting;

        Lane(Context caller) {
            // The client binds its connections to the context it is made on: the loop's root context, not the
            // request's duplicate of it, whose locals belong to one request.
            this.loop = VertxContext.getRootContext(caller);
        }

        /** The open connection, or null while there is none; then it starts opening one. */
        RedisConnection connection() {
            if (connection == null && !connecting && !closed) {
                connecting = true;
                loop.runOnContext(ignored -> open());
            }
            return connection;
        }

        private void open() {
            if (client == null) {
                client = clientOnThisLoop.get();
            }
            client.connect().onComplete(result -> {
                connecting = false;
                if (result.failed()) {
                    LOG.debugf("No Redis connection for this event loop yet: %s", result.cause().toString());
                    return;
                }
                RedisConnection opened = result.result();
                if (closed) {
                    opened.close();
                    return;
                }
                opened.exceptionHandler(failure -> forget(opened));
                opened.endHandler(ignored -> forget(opened));
                connection = opened;
            });
        }

        /** A connection that failed or closed is not used again; the next call opens another. */
        private void forget(RedisConnection failed) {
            if (connection == failed) {
                connection = null;
                failed.close();
            }
        }

        void close() {
            loop.runOnContext(ignored -> {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                if (client != null) {
                    client.close();
                }
            });
        }
    }
}
