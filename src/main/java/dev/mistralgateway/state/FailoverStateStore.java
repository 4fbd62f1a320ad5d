package dev.mistralgateway.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@link StateStore} the gateway uses. Without {@code quarkus.redis.hosts} it is this pod's memory and nothing
 * else (no Redis client is even created). With it, every check goes to Redis, and this pod's memory keeps counting
 * alongside, so that when Redis fails (error or {@code gateway.state.timeout}) the gateway can go on at once with
 * per-pod limits ({@code gateway.state.on-failure=allow}) or refuse ({@code deny}), count the failure, and say so in
 * {@code /health}. It then leaves Redis alone for {@code gateway.state.retry-interval} and tries again; spend booked
 * meanwhile is sent to Redis once it answers, so the fleet's hour loses none of it.
 */
@ApplicationScoped
public class FailoverStateStore implements StateStore {

    private static final Logger LOG = Logger.getLogger(FailoverStateStore.class);
    private static final Uni<Verdict> ALLOWED = Uni.createFrom().item(Verdict.ALLOWED);
    /** A new connection (TCP, TLS, AUTH) on a JVM still warming up may take longer than a request should wait. */
    private static final Duration STARTUP_PATIENCE = Duration.ofSeconds(10);

    private final Limits limits;
    private final InMemoryStateStore local;
    private final RedisStateStore shared;
    private final boolean denyOnFailure;
    private final Duration retryInterval;
    private final Counter errors;
    private final AtomicLong pendingNanoUsd = new AtomicLong();
    private final Map<String, AtomicLong> pendingTokens = new ConcurrentHashMap<>();
    /** System.nanoTime() before which Redis is left alone after a failure; 0 while it works. */
    private volatile long retryAt;
    private volatile String problem;
    /** Until the first connection is made, a refresh would only race it with a request's short timeout. */
    private volatile boolean warmedUp;

    FailoverStateStore(GatewayConfig config, InjectableInstance<ReactiveRedisDataSource> redis, MeterRegistry registry) {
        GatewayConfig.State state = config.state();
        requirePositive(state.timeout(), "gateway.state.timeout");
        requirePositive(state.retryInterval(), "gateway.state.retry-interval");
        this.limits = Limits.of(config);
        this.local = new InMemoryStateStore(limits);
        this.denyOnFailure = state.onFailure() == GatewayConfig.State.OnFailure.DENY;
        this.retryInterval = state.retryInterval();
        // The Redis client is active only when quarkus.redis.hosts is set; an inactive one is never created.
        boolean redisConfigured = redis.isResolvable() && redis.getHandle().getBean().isActive();
        this.shared = redisConfigured ? new RedisStateStore(redis.get(), limits, state.keyPrefix(), state.timeout()) : null;
        this.errors = Counter.builder("mistral.state.store.errors")
                .description("Calls to the shared state store (Redis) that failed or timed out").register(registry);
        if (shared == null) {
            LOG.info("Limits and budget are counted in memory, per pod (quarkus.redis.hosts is not set)");
        } else {
            LOG.infof("Limits and budget are shared through Redis (keys %s*); on failure: %s", state.keyPrefix(),
                    state.onFailure().name().toLowerCase(Locale.ROOT));
        }
    }

    private static void requirePositive(Duration value, String property) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(property + " must be positive, got " + value);
        }
    }

    @Override
    public Uni<Verdict> admitKey(String key) {
        Verdict alone = local.admitKeyNow(key);
        if (shared == null || !limits.limitsKeys()) {
            return alone.allowed() ? ALLOWED : Uni.createFrom().item(alone);
        }
        if (!redisDue()) {
            return Uni.createFrom().item(fallback(alone));
        }
        return onCallerContext(shared.admitKey(key)
                .invoke(this::succeeded)
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    return fallback(alone);
                }));
    }

    @Override
    public Uni<Verdict> checkBudget() {
        Verdict alone = local.checkBudgetNow();
        if (shared == null || !limits.hasBudget()) {
            return alone.allowed() ? ALLOWED : Uni.createFrom().item(alone);
        }
        if (!redisDue()) {
            return Uni.createFrom().item(fallback(alone));
        }
        return onCallerContext(shared.checkBudget()
                .invoke(this::succeeded)
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    return fallback(alone);
                }));
    }

    @Override
    public Uni<Void> record(String key, long nanoUsd, long tokens) {
        local.recordNow(key, nanoUsd, tokens);
        if (shared == null) {
            return Uni.createFrom().voidItem();
        }
        if (!redisDue()) {
            keepForLater(key, nanoUsd, tokens);
            return Uni.createFrom().voidItem();
        }
        return sendToRedis(key, nanoUsd, tokens);
    }

    @Override
    public Spend lastSpend() {
        return shared == null || problem != null ? local.lastSpend() : shared.lastSpend();
    }

    /** Why the shared store is not in use right now, for {@code /health}; empty while it works. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** The first requests find a connection and the scripts loaded; a Redis that is down now is reported now. */
    void warmUp(@Observes StartupEvent started) {
        if (shared != null) {
            shared.warmUp(STARTUP_PATIENCE).subscribe().with(ignored -> {
                warmedUp = true;
                succeeded();
            }, failure -> {
                warmedUp = true;
                failed(failure);
            });
        }
    }

    /**
     * Keeps the fleet's spend fresh for the gauge and health between requests, and finds out that Redis is back
     * when no request does.
     */
    @Scheduled(every = "${gateway.state.retry-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        if (shared == null || !warmedUp || !redisDue()) {
            return Uni.createFrom().voidItem();
        }
        return shared.readSpend()
                .invoke(this::succeeded)
                .onFailure().invoke(this::failed)
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> sendToRedis(String key, long nanoUsd, long tokens) {
        return shared.record(key, nanoUsd, tokens)
                .invoke(this::succeeded)
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    keepForLater(key, nanoUsd, tokens);
                    return null;
                });
    }

    private boolean redisDue() {
        long at = retryAt;
        return at == 0 || System.nanoTime() - at >= 0;
    }

    private Verdict fallback(Verdict alone) {
        return denyOnFailure ? new Verdict(Verdict.Outcome.UNAVAILABLE, retryInterval) : alone;
    }

    private void failed(Throwable failure) {
        errors.increment();
        // | 1: never 0, which means "working".
        retryAt = System.nanoTime() + retryInterval.toNanos() | 1;
        String reason = "Shared state store (Redis) failed at " + Instant.now() + ": " + describe(failure) + "; "
                + (denyOnFailure ? "new API requests are refused with 503 (gateway.state.on-failure=deny)"
                        : "limits and budget are enforced per pod (gateway.state.on-failure=allow)")
                + " until it answers again";
        if (problem == null) {
            LOG.warn(reason);
        }
        problem = reason;
    }

    private void succeeded() {
        if (problem == null && retryAt == 0) {
            return;
        }
        retryAt = 0;
        problem = null;
        LOG.info("Shared state store (Redis) answers again: limits and budget are shared by the fleet again");
        sendKeptBookings();
    }

    private void keepForLater(String key, long nanoUsd, long tokens) {
        pendingNanoUsd.addAndGet(nanoUsd);
        if (tokens > 0 && limits.hourlyTokens() > 0) {
            pendingTokens.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(tokens);
        }
    }

    /** What was booked while Redis failed goes to Redis now: in the current minute, so it stays an hour. */
    private void sendKeptBookings() {
        long nanoUsd = pendingNanoUsd.getAndSet(0);
        for (Map.Entry<String, AtomicLong> key : pendingTokens.entrySet()) {
            long tokens = key.getValue().getAndSet(0);
            if (tokens > 0) {
                sendToRedis(key.getKey(), nanoUsd, tokens).subscribe().with(ignored -> {
                });
                nanoUsd = 0;
            }
        }
        if (nanoUsd > 0) {
            sendToRedis("", nanoUsd, 0).subscribe().with(ignored -> {
            });
        }
    }

    /** A failure's class and message, with any credentials in a URI taken out. */
    static String describe(Throwable failure) {
        String message = failure.getMessage() == null ? "" : ": " + failure.getMessage()
                .replaceAll("//[^/@\\s]*@", "//").lines().findFirst().orElse("");
        if (message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        return failure.getClass().getSimpleName() + message;
    }

    /** Redis answers on its connection's event loop: the request goes on where it was. */
    private static <T> Uni<T> onCallerContext(Uni<T> answer) {
        Context caller = Vertx.currentContext();
        if (caller == null) {
            return answer;
        }
        return answer.emitOn(task -> {
            if (Vertx.currentContext() == caller) {
                task.run();
            } else {
                caller.runOnContext(ignored -> task.run());
            }
        });
    }
}
