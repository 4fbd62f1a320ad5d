package dev.mistralgateway.metrics;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;

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
class BudgetOnRedisTest extends BudgetTest {

    public static class OnRedis extends BudgetTest.TinyBudget {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }

    @BeforeEach
    void needsRedis() {
        RedisServer.requireInstalled();
    }
}
