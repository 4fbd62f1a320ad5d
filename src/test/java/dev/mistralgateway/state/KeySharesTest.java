package dev.mistralgateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.state.RedisStateStore.Grant;
import io.smallrye.mutiny.Uni;

/**
 * A pod's shares of a key's limits on a test clock, with Redis played by a pool that grants what is asked: when a key
 * gets a share, what it serves from it, and that everything it took goes back — the unused requests, the money no call
 * took, and each call's reservation once it settles.
 */
class KeySharesTest {

    private static final Limits LIMITS = new Limits(6_000, 1_000_000, 1_000_000_000, Duration.ofMinutes(10), Map.of());

    private long now;
    private final List<Grant> asked = new ArrayList<>();
    private final List<Long> returned = new ArrayList<>();
    private final Map<String, long[]> givenBack = new HashMap<>();
    private final KeyShares shares = new KeyShares(LIMITS, Duration.ofSeconds(1),
            (id, key, ask, back, least) -> {
                asked.add(ask);
                returned.add(back);
                return Uni.createFrom().item(ask);
            }, (share, nano, tokens) -> givenBack.put(share, new long[] { nano, tokens }), () -> now);

    @Test
    void aQuietKeyGetsNoShareAndABusyOneIsServedFromItsShare() {
        for (int i = 0; i < KeyShares.LEAST_CALLS - 1; i++) {
            now += 10_000_000;
            assertFalse(shares.admit("team-a"), "7 calls: every one asks Redis");
        }
        now += 10_000_000;
        assertFalse(shares.admit("team-a"), "the 8th, 80 ms in, asks for a share and is itself checked on Redis");
        assertEquals(1, asked.size());
        // 8 calls in the 70 ms since the first: a share for 1.5 s of them at that rate.
        assertEquals((long) Math.ceil(8 * 1.5 * 1000 / 70), asked.get(0).requests());
        for (int i = 0; i < 50; i++) {
            now += 1_000_000;
            assertTrue(shares.admit("team-a"));
        }
        assertEquals(1, asked.size(), "served from the share without asking Redis again");
    }

    @Test
    void whatAShareTookGoesBackUnusedRequestsMoneyNoCallTookAndEachCallsReservation() {
        long fromShare = 0;
        List<KeyShares.Held> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            now += 10_000_000;
            fromShare += shares.admit("team-a") ? 1 : 0;
            if (shares.reserve("call-" + i, "team-a", 1_000, 10)) {
                held.add(shares.take("call-" + i));
            }
        }
        assertEquals(1, asked.size());
        Grant granted = asked.get(0);
        assertTrue(fromShare > 0 && held.size() > 0, fromShare + " admitted and " + held.size() + " reserved in it");

        now += 1_100_000_000;
        shares.tick();
        assertEquals(2, asked.size(), "once retired, its unused requests go back in a run of their own");
        assertEquals(granted.requests() - fromShare, returned.get(1));
        long[] back = givenBack.values().iterator().next();
        assertEquals(granted.nanoUsd() - 1_000L * held.size(), back[0], "the money no call took goes back at once");
        assertEquals(granted.tokens() - 10L * held.size(), back[1]);

        held.forEach(shares::giveBack);
        back = givenBack.values().iterator().next();
        assertEquals(granted.nanoUsd(), back[0], "and each call's reservation once it settled: all of it");
        assertEquals(granted.tokens(), back[1]);
    }
}
