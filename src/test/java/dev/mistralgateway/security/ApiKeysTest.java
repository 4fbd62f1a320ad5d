package dev.mistralgateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static final String KEY_A = "test-client-key-aaaaaaaaaaaa";
    private static final String KEY_B = "test-client-key-bbbbbbbbbbbb";

    @Test
    void acceptsNamedHashedAndBareKeysByTheirNames() {
        String hashedB = "sha256:" + HexFormat.of().formatHex(ApiKeys.sha256(KEY_B));
        ApiKeys keys = ApiKeys.parse(List.of("team-a=" + KEY_A, "team-b=" + hashedB, "test-client-key-cccccccccccc"));
        assertEquals(3, keys.size());
        assertEquals(Optional.of("team-a"), keys.authenticate(KEY_A));
        assertEquals(Optional.of("team-b"), keys.authenticate(KEY_B));
        assertTrue(keys.authenticate("test-client-key-cccccccccccc").orElseThrow().matches("key-[0-9a-f]{8}"),
                "a bare key is named by a short hash, never by itself");
    }

    @Test
    void findsTheKeyASettingNamesAsAnEnvironmentVariableCarriesIt() {
        ApiKeys keys = ApiKeys.parse(List.of("team-a=" + KEY_A, "Ops.EU=" + KEY_B));
        assertEquals(Optional.of("team-a"), keys.resolve("team-a"));
        // GATEWAY_KEYS__TEAM_A__BUDGET_DAILY_USD reaches the configuration as gateway.keys."team.a".
        assertEquals(Optional.of("team-a"), keys.resolve("team.a"));
        assertEquals(Optional.of("Ops.EU"), keys.resolve("ops_eu"));
        assertEquals(Optional.empty(), keys.resolve("team-b"), "a name of no key");
        assertEquals(Optional.empty(), ApiKeys.parse(List.of("a-b=" + KEY_A, "a_b=" + KEY_B)).resolve("a.b"),
                "two keys alike: neither is guessed");
    }

    @Test
    void refusesUnknownAndNearMissKeys() {
        ApiKeys keys = ApiKeys.parse(List.of("team-a=" + KEY_A));
        assertEquals(Optional.empty(), keys.authenticate(KEY_A + "x"));
        assertEquals(Optional.empty(), keys.authenticate(KEY_A.substring(1)));
        assertEquals(Optional.empty(), keys.authenticate(""));
    }

    @Test
    void rejectsWeakOrMalformedEntriesWithoutEchoingThem() {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("ops=short-secret")));
        assertTrue(shortKey.getMessage().contains("entry 1"));
        assertFalse(shortKey.getMessage().contains("short-secret"));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse(List.of("ops=sha256:nothex")));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse(List.of("bad name=" + KEY_A)));
    }

    @Test
    void ignoresBlankEntries() {
        assertTrue(ApiKeys.parse(List.of(" ", "")).isEmpty());
    }
}
