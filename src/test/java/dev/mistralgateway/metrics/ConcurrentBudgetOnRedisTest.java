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

/** {@link ConcurrentBudgetTest} with the budget and its reservations on Redis (one script run reserves). */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(ConcurrentBudgetOnRedisTest.OnRedis.class)
@ExtendWith(RedisServer.Required.class)
@Typed(ConcurrentBudgetOnRedisTest.class)
class ConcurrentBudgetOnRedisTest extends ConcurrentBudgetTest {

    /** The same budget, and a Redis. */
    public static class OnRedis extends ConcurrentBudgetTest.ThreeCallBudget {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }
}
