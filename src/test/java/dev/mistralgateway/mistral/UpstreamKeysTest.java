package dev.mistralgateway.mistral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.metrics.UpstreamKeyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The choice of an upstream key for each attempt, on a clock the test moves. */
class UpstreamKeysTest {

    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private UpstreamKeys keys(String... names) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String name : names) {
            keys.put(name, "test-upstream-key-of-" + name);
        }
        return new UpstreamKeys(keys, Duration.ofSeconds(10), now::get, new UpstreamKeyMetrics(registry));
    }

    private static UpstreamKey named(UpstreamKeys keys, String name) {
        return keys.all().stream().filter(key -> key.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> picks(UpstreamKeys keys, int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(keys.pick().name());
        }
        return names;
    }

    private static void headers(UpstreamKeys keys, String name, Map<String, String> headers) {
        keys.observed(named(keys, name), headers::get);
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    @Test
    void takesTurnsWhileNoHeadroomIsKnown() {
        List<String> picked = picks(keys("a", "b", "c"), 6);
        assertEquals(2, picked.stream().filter("a"::equals).count(), picked.toString());
        assertEquals(2, picked.stream().filter("b"::equals).count(), picked.toString());
        assertEquals(2, picked.stream().filter("c"::equals).count(), picked.toString());
    }

    @Test
    void picksTheKeyWithTheMostHeadroomFromTheCurrentHeaders() {
        UpstreamKeys keys = keys("a", "b");
        headers(keys, "a", Map.of("x-ratelimit-remaining-req-minute", "100", "x-ratelimit-limit-req-minute", "6000"));
        headers(keys, "b", Map.of("x-ratelimit-remaining-req-minute", "5000", "x-ratelimit-limit-req-minute", "6000"));
        assertEquals(List.of("b", "b", "b", "b"), picks(keys, 4));
        // Tokens count too: the smaller share of the two decides.
        headers(keys, "b", Map.of("x-ratelimit-remaining-tokens-minute", "1000", "x-ratelimit-limit-tokens-minute",
                "2000000"));
        assertEquals("a", keys.pick().name());
    }

    @Test
    void readsTheOlderGenerationOfHeaders() {
        UpstreamKeys keys = keys("a", "b");
        headers(keys, "a", Map.of("ratelimitbysize-remaining", "900", "ratelimitbysize-limit", "1000"));
        headers(keys, "b", Map.of("ratelimitbysize-remaining", "10", "ratelimitbysize-limit", "1000"));
        assertEquals(List.of("a", "a", "a"), picks(keys, 3));
        assertEquals(900, named(keys, "a").remainingTokens());
        assertEquals(1000, named(keys, "a").limitTokens());
    }

    @Test
    void headroomOlderThanMistralsMinuteCountsAsUnknown() {
        UpstreamKeys keys = keys("a", "b");
        headers(keys, "a", Map.of("x-ratelimit-remaining-req-minute", "0", "x-ratelimit-limit-req-minute", "6000"));
        assertEquals(List.of("b", "b"), picks(keys, 2));
        advance(Duration.ofSeconds(61));
        List<String> picked = picks(keys, 4);
        assertEquals(2, picked.stream().filter("a"::equals).count(), picked.toString());
    }

    @Test
    void aThrottledKeyRestsUntilItsRetryAfterAndItsFailureGoesToTheOtherKeyAtOnce() {
        UpstreamKeys keys = keys("a", "b");
        UpstreamKey a = named(keys, "a");
        Throwable failure = keys.failed(a, new MistralApiException(429, "slow down", Duration.ofSeconds(5)));
        MistralException kind = MistralException.of(failure);
        assertFalse(kind.isOutage(), "the breaker does not count it");
        assertTrue(kind.isRetryable());
        assertEquals(Duration.ZERO, kind.retryDelay().orElseThrow(), "retried at once, on the other key");
        assertEquals(Duration.ofSeconds(5), kind.retryAfter().orElseThrow(), "the client's Retry-After is Mistral's");
        assertEquals(List.of("b", "b", "b"), picks(keys, 3));
        assertEquals("resting", keys.statuses().get(0).state());
        assertEquals(5L, keys.statuses().get(0).restingSeconds());
        advance(Duration.ofMillis(4_900));
        assertEquals(List.of("b", "b"), picks(keys, 2));
        advance(Duration.ofMillis(200));
        assertTrue(picks(keys, 2).contains("a"), "awake after its Retry-After");
        assertEquals(1, registry.get("mistral.upstream.key.calls").tags("upstream_key", "a", "outcome", "throttled")
                .counter().count());
    }

    @Test
    void aThrottledKeyWithoutRetryAfterRestsForTheConfiguredTime() {
        UpstreamKeys keys = keys("a", "b");
        keys.failed(named(keys, "a"), new MistralApiException(429, "slow down", null));
        advance(Duration.ofSeconds(9));
        assertEquals(List.of("b", "b"), picks(keys, 2));
        advance(Duration.ofSeconds(2));
        assertTrue(picks(keys, 2).contains("a"));
    }

    @Test
    void aLoneKeyThrottledStillServesAndItsFailureIsAnOutageAsBefore() {
        UpstreamKeys keys = keys("only");
        MistralApiException throttled = new MistralApiException(429, "slow down", Duration.ofSeconds(5));
        Throwable failure = keys.failed(named(keys, "only"), throttled);
        assertSame(throttled, failure);
        assertTrue(MistralException.of(failure).isOutage());
        assertEquals(Duration.ofSeconds(5), MistralException.of(failure).retryDelay().orElseThrow());
        assertEquals("only", keys.pick().name());
    }

    @Test
    void whenEveryKeyRestsTheOneThatWakesFirstServes() {
        UpstreamKeys keys = keys("a", "b");
        Throwable first = keys.failed(named(keys, "a"), new MistralApiException(429, "slow", Duration.ofSeconds(3)));
        assertFalse(MistralException.of(first).isOutage(), "b had headroom then");
        Throwable second = keys.failed(named(keys, "b"), new MistralApiException(429, "slow", Duration.ofSeconds(8)));
        assertTrue(MistralException.of(second).isOutage(), "no key left: Mistral-wide for the breaker");
        assertEquals(List.of("a", "a"), picks(keys, 2));
    }

    @Test
    void aRejectedKeyIsTakenOutUntilACallWithItSucceeds() {
        UpstreamKeys keys = keys("a", "b");
        UpstreamKey a = named(keys, "a");
        Throwable failure = keys.failed(a, new MistralApiException(401, "Unauthorized", null));
        assertTrue(MistralException.of(failure).isRetryable(), "retried on the other key");
        assertFalse(MistralException.of(failure).isOutage());
        assertEquals(List.of("b", "b", "b"), picks(keys, 3));
        assertEquals(List.of("a"), keys.rejected());
        assertEquals(401, keys.statuses().get(0).rejectedStatus());
        assertEquals(2.0, registry.get("mistral.upstream.key.state").tags("upstream_key", "a").gauge().value());
        keys.succeeded(a);
        assertEquals(List.of(), keys.rejected());
        assertEquals(0.0, registry.get("mistral.upstream.key.state").tags("upstream_key", "a").gauge().value());
    }

    @Test
    void aLoneRejectedKeyIsStillTriedAndItsFailureIsNotRetried() {
        UpstreamKeys keys = keys("only");
        Throwable failure = keys.failed(named(keys, "only"), new MistralApiException(403, "Forbidden", null));
        assertFalse(MistralException.of(failure).isRetryable());
        assertEquals("only", keys.pick().name());
    }

    @Test
    void otherFailuresLeaveTheKeyInRotation() {
        UpstreamKeys keys = keys("a", "b");
        Throwable failure = keys.failed(named(keys, "a"), new MistralApiException(503, "down", null));
        assertTrue(MistralException.of(failure).isOutage(), "a 5xx is Mistral's, whatever the key");
        List<String> picked = picks(keys, 4);
        assertTrue(picked.contains("a") && picked.contains("b"), picked.toString());
    }
}
