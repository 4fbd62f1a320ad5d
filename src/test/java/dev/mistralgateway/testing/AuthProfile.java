package dev.mistralgateway.testing;

import java.util.HexFormat;
import java.util.Map;

import dev.mistralgateway.security.ApiKeys;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Client authentication on, as in production, with two clients: one with a plain key, one with a hashed entry.
 * The keys are obviously fake test values (allow-listed by the secret scanner).
 */
public class AuthProfile implements QuarkusTestProfile {

    public static final String TEAM_A_KEY = "test-client-key-team-a-000000";
    public static final String TEAM_B_KEY = "test-client-key-team-b-000000";
    /** SHA-256 of {@link #TEAM_B_KEY}. */
    public static final String TEAM_B_HASH = "sha256:" + HexFormat.of().formatHex(ApiKeys.sha256(TEAM_B_KEY));

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gateway.auth.enabled", "true",
                "gateway.api-keys", "team-a=" + TEAM_A_KEY + ",team-b=" + TEAM_B_HASH);
    }
}
