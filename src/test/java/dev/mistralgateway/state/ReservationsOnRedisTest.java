package dev.mistralgateway.state;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.mistralgateway.testing.RedisResource;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;

/**
 * The fleet's reservations on a real Redis, through the store the gateway uses: whatever reaches Redis late, twice or
 * never, what calls reserved is freed, so the budget is never held by a call that ended. The first test is what
 * SharedStateIT found (issue 21): a reservation whose answer timed out in the pod although its script ran in Redis
 * was counted twice (once by the script, once more by the pod's fallback batch) and settled once.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ReservationsOnRedisTest.ShortRedisTimeout.class)
@ExtendWith(RedisServer.Required.class)
class ReservationsOnRedisTest {

    static final String RESERVATIONS = "mistral-gateway:reservations";

    /** A dollar an hour, calls allowed on when Redis is slow, a 300 ms Redis timeout and reservations of 3 s. */
    public static class ShortRedisTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.budget.hourly-usd", "1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class, Map.of("gateway.state.on-failure", "allow",
                    "gateway.state.timeout", "300ms", "gateway.state.retry-interval", "1s",
                    "gateway.state.reservation-ttl", "3s")));
        }
    }

    @Inject
    FailoverStateStore store;

    @Inject
    ReactiveRedisDataSource redis;

    @TestHTTPResource("/v1/chat/completions")
    URL completions;

    /** Each test starts with Redis in use (the first one makes it fail for a while). */
    @BeforeEach
    void redisInUse() {
        await().atMost(Duration.ofSeconds(10)).until(() -> store.problem().isEmpty());
    }

    @Test
    void aReservationWhoseAnswerTimedOutButRanInRedisIsFreedByItsSettlement() {
        long spentBefore = spend();
        // Redis holds every command for a second: the pod's reserve times out (and goes on, on-failure=allow), and
        // its script runs in Redis once the pause ends; the settlement follows in the next batch, after the pause.
        redis.execute(Command.CLIENT, "PAUSE", "1000", "ALL").await().indefinitely();
        Verdict verdict = store.reserve("timed-out", "team-a", 5_000, 0).await().indefinitely();
        assertEquals(Verdict.Outcome.ALLOWED, verdict.outcome(), "allow: the call goes on");
        store.settle("timed-out", "team-a", 3_000, 0).await().indefinitely();

        await().atMost(Duration.ofSeconds(10)).until(() -> hget("x:timed-out") != null);
        assertEquals(null, hget("r:timed-out"), "the reservation the script made is freed by the settlement");
        assertEquals(0, held(), "nothing stays reserved");
        assertEquals(3_000, spend() - spentBefore, "the fleet's spend is what the call used, once");
    }

    @Test
    void aReservationArrivingTwiceIsHeldOnce() {
        assertEquals(Verdict.Outcome.ALLOWED, store.reserve("twice", "team-b", 7_000, 0).await().indefinitely().outcome());
        assertEquals(Verdict.Outcome.ALLOWED, store.reserve("twice", "team-b", 7_000, 0).await().indefinitely().outcome());
        assertEquals(7_000, held());
        store.settle("twice", "team-b", 0, 0).await().indefinitely();
        await().atMost(Duration.ofSeconds(5)).until(() -> held() == 0);
    }

    @Test
    void aReservationNobodySettlesFreesItselfAfterItsTimeToLive() {
        assertEquals(Verdict.Outcome.ALLOWED, store.reserve("lost", "team-c", 9_000, 0).await().indefinitely().outcome());
        assertEquals(9_000, held());
        await("the gauge reads the fleet's holding").atMost(Duration.ofSeconds(3))
                .until(() -> store.lastSpend().reservedNanoUsd() == 9_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> held() == 0 && hget("r:lost") == null);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lastSpend().reservedNanoUsd() == 0);
    }

    @Test
    void callsInFlightHoldTheBudgetUntilTheySettle() {
        long most = 600_000_000;
        assertEquals(Verdict.Outcome.ALLOWED, store.reserve("first", "team-d", most, 0).await().indefinitely().outcome());
        assertEquals(Verdict.Outcome.ALLOWED, store.reserve("second", "team-d", most, 0).await().indefinitely().outcome(),
                "$0.60 held, under $1: admitted (the bound: the budget is overrun by at most the last reservation)");
        Verdict third = store.reserve("third", "team-d", most, 0).await().indefinitely();
        assertEquals(Verdict.Outcome.BUDGET_EXHAUSTED, third.outcome(), "$1.20 held against $1");
        assertEquals(Duration.ofSeconds(1), third.retryAfter(), "only calls in flight hold it: they settle soon");
        assertEquals(null, hget("r:third"));

        store.settle("first", "team-d", 1_000, 0).await().indefinitely();
        store.settle("second", "team-d", 1_000, 0).await().indefinitely();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.reserve("third", "team-d", most, 0).await()
                .indefinitely().allowed());
        store.settle("third", "team-d", 1_000, 0).await().indefinitely();
        await().atMost(Duration.ofSeconds(5)).until(() -> held() == 0);
        assertTrue(spend() >= 3_000);
    }

    @Test
    void aClientThatLeavesWhileItsReservationTravelsToRedisLeavesNothingReserved() throws Exception {
        long settledBefore = settledIds();
        // Redis holds every command for a second: the chat's reservation is on its way when its client leaves.
        redis.execute(Command.CLIENT, "PAUSE", "1000", "ALL").await().indefinitely();
        long paused = System.nanoTime();
        String body = "{\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"leave\"}]}";
        try (Socket client = new Socket(completions.getHost(), completions.getPort())) {
            OutputStream out = client.getOutputStream();
            out.write(("POST " + completions.getPath() + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(150);
        }
        // Once the pause ends, the reservation reaches Redis and so does its release: nothing stays held, well before
        // the reservations' 3 s time to live would free it.
        await().atMost(Duration.ofSeconds(5)).until(() -> settledIds() > settledBefore);
        assertEquals(0, held(), "nothing held after the client left");
        assertTrue(System.nanoTime() - paused < 3_000_000_000L, "freed by the release, not by the time to live");
    }

    /** The reservations Redis remembers as settled. */
    private long settledIds() {
        long settled = 0;
        for (Response field : redis.execute(Command.HKEYS, RESERVATIONS).await().indefinitely()) {
            settled += field.toString().startsWith("x:") ? 1 : 0;
        }
        return settled;
    }

    private String hget(String field) {
        Response value = redis.execute(Command.HGET, RESERVATIONS, field).await().indefinitely();
        return value == null ? null : value.toString();
    }

    private long held() {
        String usd = hget("usd");
        return usd == null ? 0 : Long.parseLong(usd);
    }

    private long spend() {
        Response minutes = redis.execute(Command.HVALS, "mistral-gateway:spend").await().indefinitely();
        long sum = 0;
        for (Response minute : minutes) {
            sum += minute.toLong();
        }
        return sum;
    }
}
