package dev.mistralgateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Each event loop talks to Redis on a connection of its own and gets its answers on its own thread: the Redis checks
 * of a request never cross event loops (src/docs/performance.md, scenario 6). Against a real redis-server, whose
 * {@code CLIENT ID} names the connection a command came on.
 */
class RedisConnectionsTest {

    private RedisServer server;
    private Vertx vertx;
    private Redis shared;
    private RedisConnections connections;
    private final AtomicLong sharedCalls = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start("test-redis-password-000000");
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        RedisOptions options = new RedisOptions().setConnectionString(server.url()).setPassword(server.password());
        shared = Redis.createClient(vertx, options);
        connections = new RedisConnections(io.vertx.mutiny.redis.client.Redis.newInstance(counting(shared)),
                () -> Redis.createClient(vertx, options));
    }

    @AfterEach
    void stop() throws Exception {
        connections.close();
        shared.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void eachEventLoopTalksToRedisOnAConnectionOfItsOwn() throws Exception {
        Context[] loops = twoEventLoops();
        long first = laneConnection(loops[0]);
        long second = laneConnection(loops[1]);
        assertNotEquals(first, second, "the two event loops share a Redis connection");
        for (int i = 0; i < 20; i++) {
            assertEquals(first, clientId(loops[0]), "event loop 1 left its connection");
            assertEquals(second, clientId(loops[1]), "event loop 2 left its connection");
        }
    }

    @Test
    void opensAnotherConnectionWhenRedisDropsIt() throws Exception {
        Context loop = twoEventLoops()[0];
        long dropped = laneConnection(loop);
        shared.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(dropped))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long reopened = laneConnection(loop, dropped);
        for (int i = 0; i < 20; i++) {
            assertEquals(reopened, clientId(loop), "the event loop did not keep its new connection");
        }
    }

    /**
     * The connection the loop's calls settle on: its first calls go through the shared client while the loop's own
     * connection opens, then every call uses that one.
     */
    private long laneConnection(Context loop) {
        return laneConnection(loop, -1);
    }

    /** As {@link #laneConnection(Context)}, once it is another connection than {@code not}. */
    private long laneConnection(Context loop, long not) {
        AtomicLong id = new AtomicLong();
        // Calls on a connection Redis just dropped fail until the loop has heard of it.
        Awaitility.await("the event loop's own connection").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> {
                    long before = sharedCalls.get();
                    id.set(clientId(loop));
                    return sharedCalls.get() == before && id.get() != not;
                });
        return id.get();
    }

    /** CLIENT ID asked from {@code loop}, checking that the answer arrives on that loop's thread. */
    private long clientId(Context loop) throws Exception {
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<Long> id = new CompletableFuture<>();
        loop.runOnContext(ignored -> {
            caller.complete(Thread.currentThread());
            connections.execute(Command.CLIENT, "ID").subscribe().with(answer -> {
                if (Thread.currentThread() != caller.join()) {
                    id.completeExceptionally(new AssertionError("answered on " + Thread.currentThread().getName()
                            + ", asked on " + caller.join().getName()));
                } else {
                    id.complete(answer.toLong());
                }
            }, id::completeExceptionally);
        });
        return id.get(10, TimeUnit.SECONDS);
    }

    /** The shared client, counting the commands sent through it. */
    private Redis counting(Redis client) {
        return new Redis() {
            @Override
            public Future<RedisConnection> connect() {
                return client.connect();
            }

            @Override
            public void close() {
                client.close();
            }

            @Override
            public Future<Response> send(Request command) {
                sharedCalls.incrementAndGet();
                return client.send(command);
            }

            @Override
            public Future<List<Response>> batch(List<Request> commands) {
                sharedCalls.incrementAndGet();
                return client.batch(commands);
            }
        };
    }

    /** Contexts on the two different event loops, as a gateway's two loops serve requests. */
    private Context[] twoEventLoops() throws Exception {
        Context first = ((VertxInternal) vertx).createEventLoopContext();
        Thread firstThread = threadOf(first);
        for (int i = 0; i < 4; i++) {
            Context other = ((VertxInternal) vertx).createEventLoopContext();
            if (threadOf(other) != firstThread) {
                return new Context[] { first, other };
            }
        }
        throw new AssertionError("Vert.x gave no context on a second event loop");
    }

    private static Thread threadOf(Context context) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        context.runOnContext(ignored -> thread.complete(Thread.currentThread()));
        return thread.get(10, TimeUnit.SECONDS);
    }
}
