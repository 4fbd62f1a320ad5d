package dev.mistralgateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** What /health and the log say about a Redis failure: the class and first line of the message, never credentials. */
class FailureDescriptionTest {

    @Test
    void takesCredentialsOutOfRedisUris() {
        String said = FailoverStateStore.describe(new IllegalStateException(
                "Cannot connect to rediss://default:s3cr3t-pw@redis.internal:6380/0\nat line two"));
        assertFalse(said.contains("s3cr3t-pw"), said);
        assertEquals("IllegalStateException: Cannot connect to rediss://redis.internal:6380/0", said);
    }

    @Test
    void namesTheFailureWhenThereIsNoMessage() {
        assertEquals("StateStoreTimeoutException: no answer within 100 ms",
                FailoverStateStore.describe(new StateStoreTimeoutException(java.time.Duration.ofMillis(100))));
        assertEquals("NullPointerException", FailoverStateStore.describe(new NullPointerException()));
    }
}
