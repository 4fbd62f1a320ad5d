package dev.mistralgateway.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Timeouts long enough that no call ends on its own while a test holds hundreds of them open on a busy machine:
 * whatever ends them is the test's doing (a client leaving, a shutdown).
 */
public class PatientProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mistral.timeout.read", "60s", "mistral.timeout.stream-idle", "60s",
                "mistral.timeout.request", "90s");
    }
}
