package dev.mistralgateway.state;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.proxy.ProxyConfigurationRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@link StateStore} the gateway uses. Without {@code quarkus.redis.hosts} it is this pod's memory and nothing
 * else (no Redis client is even created). With it, every check goes to Redis, and this pod's memory keeps counting
 * alongside, so that when Redis fails (error or {@code gateway.state.timeout}) the gateway can go on at once with
 * per-pod limits ({@code gateway.state.on-failure=allow}) or refuse ({@code deny}), count the failure, and say so in
 * {@code /health}. It then leaves Redis alone for {@code gateway.state.retry-interval} and tries again.
 * <p>
 * A request no share covers costs a round trip per check: the key check also reads the budget, kept in the
 * request's context for {@link #checkBudget()}. Answers are booked in batches every {@value #BOOKING_INTERVAL_MS} ms,
 * one script run for all of them; what could not be booked (Redis away) stays in the batch until Redis answers, so
 * the fleet's hour loses none of it. Until an answer is booked, this pod's own checks count it anyway (the scripts take
 * it as an argument), so that a pod never lets through what it has itself just used up.
 * <p>
 * A busy key's requests are admitted and reserved against this pod's share of its limits ({@link KeyShares}), taken
 * from Redis in advance, without a round trip each; the shares go back as their calls settle, and at SIGTERM.
 * <p>
 * Why one class of about 440 lines: the switch between Redis and memory, the retry interval, the batch booking and
 * the shares' way to Redis share one state (is Redis in use, what is booked, what is in flight), and splitting them
 * would pass that state around; the bookings themselves already live in {@link Bookings}, the shares in
 * {@link KeyShares}, the scripts in {@link RedisScripts}.
 */
@Singleton
public class FailoverStateStore implements StateStore {

    private static final Logger LOG = Logger.getLogger(FailoverStateStore.class);
    private static final Uni<Verdict> ALLOWED = Uni.createFrom().item(Verdict.ALLOWED);
    /** A new connection (TCP, TLS, AUTH) on a JVM still warming up may take longer than a request should wait. */
    private static final Duration STARTUP_PATIENCE = Duration.ofSeconds(10);
    /** How stale the fleet's spend may be for the pods' budget checks; a few script runs a second per pod. */
    static final long BOOKING_INTERVAL_MS = 100;
    private static final String BUDGET_SEEN = FailoverStateStore.class.getName() + ".budget";

    private final Limits limits;
    private final InMemoryStateStore local;
    private final RedisStateStore shared;
    private final RedisConnections connections;
    private final Vertx vertx;
    private final boolean denyOnFailure;
    private final Duration retryInterval;
    /** How long a stopping pod waits for Redis to take its shares back: a stop must not hang on Redis. */
    private final Duration closingPatience;
    private final Counter errors;
    private final Counter sharesTaken;
    /** The timer that books every {@value #BOOKING_INTERVAL_MS} ms; -1 before the start. */
    private volatile long bookingTimer = -1;
    private final Bookings bookings;
    /** This pod's shares of its busy keys' limits; null without Redis or with gateway.state.share-life=0. */
    private final KeyShares shares;
    private final AtomicBoolean booking = new AtomicBoolean();
    /** System.nanoTime() before which Redis is left alone after a failure; 0 while it works. */
    private volatile long retryAt;
    private volatile String problem;
    /** Until the first connection is made, a refresh would only race it with a request's short timeout. */
    private volatile boolean warmedUp;

    FailoverStateStore(GatewayConfig config, InjectableInstance<ReactiveRedisDataSource> redis, Vertx vertx,
            MeterRegistry registry, TlsConfigurationRegistry tls, ProxyConfigurationRegistry proxies) {
        GatewayConfig.State state = config.state();
        requirePositive(state.timeout(), "gateway.state.timeout");
        requirePositive(state.retryInterval(), "gateway.state.retry-interval");
        this.limits = Limits.of(config);
        this.local = new InMemoryStateStore(limits);
        this.bookings = new Bookings(limits.hourlyTokens() > 0, limits.keyBudgets().keySet());
        this.vertx = vertx;
        this.denyOnFailure = state.onFailure() == GatewayConfig.State.OnFailure.DENY;
        this.retryInterval = state.retryInterval();
        this.closingPatience = state.timeout().multipliedBy(2);
        boolean redisConfigured = redisConfigured(redis);
        this.connections = redisConfigured ? RedisConnections.of(redis.get(), vertx, tls, proxies) : null;
        this.shared = redisConfigured
                ? new RedisStateStore(connections, vertx, limits, state.keyPrefix(), state.timeout())
                : null;
        this.shares = shared == null || state.shareLife().isZero() ? null
                : new KeyShares(limits, state.shareLife(), this::askShare, bookings::givenBack, System::nanoTime);
        this.errors = Counter.builder("mistral.state.store.errors")
                .description("Calls to the shared state store (Redis) that failed or timed out").register(registry);
        this.sharesTaken = Counter.builder("mistral.state.shares")
                .description("Shares of busy keys' limits this pod took from Redis, each serving the key's next"
                        + " requests without a round trip").register(registry);
        if (shared == null) {
            LOG.info("Limits and budget are counted in memory, per pod (quarkus.redis.hosts is not set)");
        } else {
            LOG.infof("Limits and budget are shared through Redis (keys %s*); on failure: %s", state.keyPrefix(),
                    state.onFailure().name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Whether the gateway has a Redis: the client is active only when {@code quarkus.redis.hosts} is set, and an
     * inactive one is never created.
     */
    public static boolean redisConfigured(InjectableInstance<ReactiveRedisDataSource> redis) {
        return redis.isResolvable() && redis.getHandle().getBean().isActive();
    }

    private static void requirePositive(Duration value, String property) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(property + " must be positive, got " + value);
        }
    }

    @Override
    public Uni<Verdict> admitKey(String key) {
        Verdict alone = local.admitKeyNow(key);
        if (shared == null || !limits.limitsKeys() && !limits.hasBudget()) {
            return alone.allowed() ? ALLOWED : Uni.createFrom().item(alone);
        }
        if (!redisDue()) {
            return Uni.createFrom().item(fallback(alone));
        }
        if (shares != null && shares.admit(key)) {
            return ALLOWED;
        }
        return onCallerContext(shared.admit(key, bookings.unbooked(key)))
                .map(admission -> {
                    succeeded();
                    if (VertxContext.isOnDuplicatedContext()) {
                        ContextLocals.put(BUDGET_SEEN, admission.budget());
                    }
                    return limits.limitsKeys() ? admission.key() : alone;
                })
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    return fallback(alone);
                });
    }

    @Override
    public Uni<Verdict> checkBudget() {
        Verdict alone = local.checkBudgetNow();
        if (shared == null || !limits.hasBudget()) {
            return alone.allowed() ? ALLOWED : Uni.createFrom().item(alone);
        }
        Optional<Verdict> seen = budgetSeenByThisRequest();
        if (seen.isPresent()) {
            return seen.get().allowed() ? ALLOWED : Uni.createFrom().item(seen.get());
        }
        if (!redisDue()) {
            return Uni.createFrom().item(fallback(alone));
        }
        return onCallerContext(shared.checkBudget(bookings.unbooked(null)))
                .invoke(this::succeeded)
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    return fallback(alone);
                });
    }

    /**
     * Reserved in this pod's memory first (its own count never lets through what it has itself used up), then on
     * Redis for the fleet, in one script run; when Redis refuses, the local reservation is freed.
     */
    @Override
    public Uni<Verdict> reserve(String id, String key, long nanoUsd, long tokens) {
        Verdict alone = local.reserveNow(id, key, nanoUsd, tokens);
        if (shared == null || !alone.allowed()) {
            return alone.allowed() ? ALLOWED : Uni.createFrom().item(alone);
        }
        if (!redisDue()) {
            return Uni.createFrom().item(reservedWithoutRedis(id, false));
        }
        if (shares != null && shares.reserve(id, key, nanoUsd, tokens)) {
            local.shared(id);
            return ALLOWED;
        }
        return onCallerContext(shared.reserve(id, key, nanoUsd, tokens, bookings.unbooked(key)))
                .map(verdict -> {
                    succeeded();
                    if (verdict.allowed()) {
                        local.shared(id);
                    } else {
                        local.release(id);
                    }
                    return verdict;
                })
                .onFailure().recoverWithItem(failure -> {
                    failed(failure);
                    return reservedWithoutRedis(id, true);
                });
    }

    /**
     * Redis did not take a reservation. With {@code allow} the call goes on against this pod's count, and its
     * settlement frees the reservation on Redis too, should the script have run there after all. With {@code deny}
     * the call is refused and its reservation freed: here at once, on Redis ({@code sent}: the request may have run
     * there although its answer never came, a timeout) with the next batch. Either way, freeing is by id: a
     * reservation that arrives after its settlement is not made, and one never freed expires.
     */
    private Verdict reservedWithoutRedis(String id, boolean sent) {
        if (denyOnFailure) {
            local.release(id);
            if (sent) {
                bookings.add(null, 0, 0, id, 0, 0);
            }
        }
        return fallback(Verdict.ALLOWED);
    }

    /** The budget as the key check read it, moments ago in this request (once: a second check asks Redis). */
    private static Optional<Verdict> budgetSeenByThisRequest() {
        if (!VertxContext.isOnDuplicatedContext()) {
            return Optional.empty();
        }
        Optional<Verdict> seen = ContextLocals.get(BUDGET_SEEN);
        seen.ifPresent(verdict -> ContextLocals.remove(BUDGET_SEEN));
        return seen;
    }

    /**
     * Counted here at once, and sent to Redis with the next batch, which frees the reservation there by its id.
     * Until then, what Redis holds for the reservation (when it confirmed holding it) stands in for the use in this
     * pod's checks, not beside it.
     */
    @Override
    public Uni<Void> settle(String reservation, String key, long nanoUsd, long tokens) {
        OpenReservations.Held freed = local.settleNow(reservation, key, nanoUsd, tokens);
        KeyShares.Held inShare = shares == null ? null : shares.take(reservation);
        if (inShare != null) {
            // Booked first, given back after: in between, Redis counts the reservation and the use, never neither.
            bookings.add(key, nanoUsd, tokens, null, inShare.nanoUsd(), inShare.tokens());
            shares.giveBack(inShare);
        } else if (shared != null) {
            boolean heldOnRedis = freed != null && freed.shared();
            bookings.add(key, nanoUsd, tokens, reservation, heldOnRedis ? freed.nanoUsd() : 0,
                    heldOnRedis ? freed.tokens() : 0);
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public long keySpend(String key, Window window) {
        return shared == null || problem != null ? local.keySpendNow(key, window) : shared.keySpend(key, window);
    }

    @Override
    public Spend lastSpend() {
        return shared == null || problem != null ? local.lastSpend() : shared.lastSpend();
    }

    /** A share of a key's limits for this pod ({@link KeyShares}), from Redis, with its unbooked use counted. */
    private Uni<RedisStateStore.Grant> askShare(String id, String key, RedisStateStore.Grant asked, long returned,
            RedisStateStore.Grant least) {
        return shared.share(id, key, asked, returned, KeyShares.DIVISOR, least, bookings.unbooked(key))
                .invoke(grant -> {
                    succeeded();
                    if (grant.requests() > 0 || grant.nanoUsd() > 0 || grant.tokens() > 0) {
                        sharesTaken.increment();
                    }
                })
                .onFailure().invoke(this::failed);
    }

    /**
     * A pod that stops gives its shares back and books what it served, at SIGTERM, while Redis can still be reached
     * (Quarkus closes its Redis client before it destroys the beans): from then on it takes no share, so each of its
     * last requests is checked on Redis. Needs {@code quarkus.shutdown.delay-enabled}, as the drain does; without it,
     * shares expire with {@code gateway.state.reservation-ttl}.
     */
    void handBackShares(@Observes ShutdownDelayInitiatedEvent stopping) {
        if (shares == null || problem != null || Context.isOnEventLoopThread()) {
            return;
        }
        try {
            List<Uni<RedisStateStore.Grant>> returns = shares.retireAll();
            if (!returns.isEmpty()) {
                Uni.join().all(returns).andCollectFailures().replaceWithVoid().await().atMost(closingPatience);
            }
            long until = System.nanoTime() + closingPatience.toNanos();
            while (booking.get() && System.nanoTime() - until < 0) {
                // The batch on its way lands first: one at a time.
                LockSupport.parkNanos(1_000_000);
            }
            bookPending().await().atMost(closingPatience);
        } catch (RuntimeException e) {
            LOG.debugf("Shares not given back at shutdown (they expire): %s", describe(e));
        }
    }

    @PreDestroy
    void close() {
        vertx.cancelTimer(bookingTimer);
        if (connections != null) {
            connections.close();
        }
    }

    /** Why the shared store is not in use right now, for {@code /health}; empty while it works. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** The first requests find a connection and the scripts loaded; a Redis that is down now is reported now. */
    void warmUp(@Observes StartupEvent started) {
        if (shared == null) {
            return;
        }
        shared.warmUp(STARTUP_PATIENCE).subscribe().with(ignored -> {
            warmedUp = true;
            succeeded();
        }, failure -> {
            warmedUp = true;
            failed(failure);
        });
        bookingTimer = vertx.setPeriodic(BOOKING_INTERVAL_MS, ignored -> {
            if (shares != null && redisDue()) {
                shares.tick();
            }
            bookPending().subscribe().with(booked -> {
            });
        });
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
        return shared.readSpend(bookings.unbooked(null))
                .call(shared::readKeySpend)
                .invoke(this::succeeded)
                .onFailure().invoke(this::failed)
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Sends what was served since the last booking, one booking at a time; what fails stays for the next. */
    private Uni<Void> bookPending() {
        if (bookings.nothingPending() || !redisDue() || !booking.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Bookings.Batch batch = bookings.take();
        return shared.book(batch.number(), batch.nanoUsd(), batch.tokens(), batch.keyNanoUsd(), batch.settled())
                .invoke(() -> {
                    bookings.booked(batch);
                    booking.set(false);
                    succeeded();
                })
                .onFailure().invoke(failure -> {
                    bookings.returned(batch);
                    booking.set(false);
                    failed(failure);
                })
                .onFailure().recoverWithNull();
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
