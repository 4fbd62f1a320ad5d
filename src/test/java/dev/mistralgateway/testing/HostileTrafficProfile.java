package dev.mistralgateway.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * Authentication on, with small allowances for failed keys and refusal log lines, so that a test can exhaust them
 * with a few dozen requests. A profile of its own: the throttled address (127.0.0.1) stays throttled for this
 * application instance only.
 */
public class HostileTrafficProfile extends AuthProfile {

    public static final int FAILURES_PER_MINUTE = 5;
    public static final int REFUSAL_LINES_PER_SECOND = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("gateway.auth.failures-per-minute", String.valueOf(FAILURES_PER_MINUTE));
        overrides.put("gateway.access-log.refusal-lines-per-second", String.valueOf(REFUSAL_LINES_PER_SECOND));
        return overrides;
    }
}
