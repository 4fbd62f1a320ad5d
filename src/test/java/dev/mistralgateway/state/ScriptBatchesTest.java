package dev.mistralgateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.RedisServer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * Checks that one event loop makes while Redis works on its last ones reach Redis as one script run, and each is
 * still counted as its own atomic step, in order: a key allowed 10 requests a minute gets exactly its first 10 of 25
 * made at once. Against a real redis-server, whose command statistics count the script runs.
 */
class ScriptBatchesTest {

    private RedisServer server;
    private Vertx vertx;
    private Redis shared;
    private RedisStateStore store;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start("test-redis-password-000000");
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        RedisOptions options = new RedisOptions().setConnectionString(server.url()).setPassword(server.password());
        shared = Redis.createClient(vertx, options);
        RedisConnections connections = new RedisConnections(io.vertx.mutiny.redis.client.Redis.newInstance(shared),
                () -> Redis.createClient(vertx, options));
        Limits limits = new Limits(10, 0, 1_000_000_000L, Duration.ofMinutes(10), Map.of());
        store = new RedisStateStore(connections, vertx, limits, "test:", Duration.ofSeconds(5));
        store.warmUp(Duration.ofSeconds(10)).await().atMost(Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() throws Exception {
        shared.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void checksMadeAtOnceGoAsOneScriptRunAndEachIsCountedInOrder() throws Exception {
        long runsBefore = scriptRuns();
        List<Verdict.Outcome> outcomes = admitAtOnce(25);
        assertEquals(Collections.nCopies(10, Verdict.Outcome.ALLOWED), outcomes.subList(0, 10), outcomes.toString());
        assertEquals(Collections.nCopies(15, Verdict.Outcome.RATE_LIMITED), outcomes.subList(10, 25),
                outcomes.toString());
        // The first goes at once, alone; the 24 made while it travelled go together.
        assertEquals(2, scriptRuns() - runsBefore, "script runs for 25 checks");
    }

    @Test
    void aBatchStillRunsOnARedisThatLostItsScripts() throws Exception {
        send(Request.cmd(Command.SCRIPT).arg("FLUSH"));
        List<Verdict.Outcome> outcomes = admitAtOnce(12);
        assertEquals(Collections.nCopies(10, Verdict.Outcome.ALLOWED), outcomes.subList(0, 10), outcomes.toString());
        assertEquals(Collections.nCopies(2, Verdict.Outcome.RATE_LIMITED), outcomes.subList(10, 12),
                outcomes.toString());
        assertTrue(send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(RedisScripts.BATCH.sha())).get(0).toInteger() == 1,
                "the batch script is cached again");
    }

    /** {@code count} key checks made in one turn of one event loop, as concurrent requests would; their verdicts. */
    private List<Verdict.Outcome> admitAtOnce(int count) throws Exception {
        Context loop = vertx.getOrCreateContext();
        CompletableFuture<List<Verdict.Outcome>> all = new CompletableFuture<>();
        loop.runOnContext(ignored -> {
            List<Uni<Verdict.Outcome>> checks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                checks.add(store.admit("team-a", Unbooked.NONE).map(admission -> admission.key().outcome()));
            }
            List<Verdict.Outcome> outcomes = new ArrayList<>(Collections.nCopies(count, null));
            int[] left = { count };
            for (int i = 0; i < count; i++) {
                int index = i;
                checks.get(i).subscribe().with(outcome -> {
                    outcomes.set(index, outcome);
                    if (--left[0] == 0) {
                        all.complete(outcomes);
                    }
                }, all::completeExceptionally);
            }
        });
        return all.get(20, TimeUnit.SECONDS);
    }

    /** How many script runs (EVALSHA and EVAL) Redis has served. */
    private long scriptRuns() throws Exception {
        String stats = send(Request.cmd(Command.INFO).arg("commandstats")).toString();
        long runs = 0;
        Matcher matcher = Pattern.compile("cmdstat_(?:evalsha|eval):calls=(\\d+)").matcher(stats);
        while (matcher.find()) {
            runs += Long.parseLong(matcher.group(1));
        }
        return runs;
    }

    private io.vertx.redis.client.Response send(Request request) throws Exception {
        return shared.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
