package dev.mistralgateway.health;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.vertx.core.Vertx;

/**
 * Alive while an event loop keeps running its timers: a blocked event loop is the one fault a restart cures.
 * Mistral's health never enters liveness, so an outage never restarts pods.
 */
@Liveness
@ApplicationScoped
public class EventLoopLivenessCheck implements HealthCheck {

    static final long TICK_MS = 1_000;
    static final long STALL_MS = 10_000;

    private final Vertx vertx;
    private final long timer;
    private volatile long lastTickNanos = System.nanoTime();

    EventLoopLivenessCheck(Vertx vertx) {
        this.vertx = vertx;
        this.timer = vertx.setPeriodic(TICK_MS, id -> lastTickNanos = System.nanoTime());
    }

    @Override
    public HealthCheckResponse call() {
        long sinceTickMs = (System.nanoTime() - lastTickNanos) / 1_000_000;
        return HealthCheckResponse.named("event-loop")
                .status(sinceTickMs < STALL_MS)
                .withData("lastTickMsAgo", sinceTickMs)
                .build();
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(timer);
    }
}
