package dev.mistralgateway.metrics;

import java.util.List;

import jakarta.enterprise.inject.Typed;

import org.junit.jupiter.api.extension.ExtendWith;

import dev.mistralgateway.testing.RedisResource;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link BudgetTest}'s behaviour, unchanged, with the spend counted on Redis (gauge and health from its answers). */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(BudgetOnRedisTest.OnRedis.class)
@ExtendWith(RedisServer.Required.class)
// Test classes are beans: without @Typed this one would also be a candidate for its superclass' tests.
@Typed(BudgetOnRedisTest.class)
class BudgetOnRedisTest extends BudgetTest {

    /** The same configuration, and a Redis: a profile of its own, so that no meter of the in-memory run is reused. */
    public static class OnRedis extends BudgetTest.TinyBudget {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }
}
