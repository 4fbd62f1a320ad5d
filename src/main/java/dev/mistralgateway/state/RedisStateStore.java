package dev.mistralgateway.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;

/**
 * The counters on Redis, shared by every pod: one script run ({@link RedisScripts}) per check or booking, so that
 * a check and its count are one atomic step. Every call fails after {@code gateway.state.timeout}; what then
 * happens is {@link FailoverStateStore}'s business.
 */
final class RedisStateStore implements StateStore {

    /** A key's verdict, and the budget's, from one round trip. */
    record Admission(Verdict key, Verdict budget) {
    }

    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final Limits limits;
    private final String spendKey;
    /** Calls in flight: the reservations (a hash) and their expiry (a sorted set), see {@link RedisScripts#RESERVE}. */
    private final String reservationsKey;
    private final String expiryKey;
    private final String prefix;
    /** This pod's booking marker: the number of its last batch that Redis has. A pod is one process run. */
    private final String podKey;
    private final Duration timeout;
    private volatile Spend last = Spend.NONE;

    RedisStateStore(ReactiveRedisDataSource redis, Vertx vertx, Limits limits, String prefix, Duration timeout) {
        this.redis = redis;
        this.vertx = vertx;
        this.limits = limits;
        this.prefix = prefix;
        this.spendKey = prefix + "spend";
        this.reservationsKey = prefix + "reservations";
        this.expiryKey = prefix + "reservations:expiry";
        this.podKey = prefix + "pod:" + UUID.randomUUID() + ":booked";
        this.timeout = timeout;
    }

    @Override
    public Uni<Verdict> admitKey(String key) {
        return admit(key, Unbooked.NONE).map(Admission::key);
    }

    /**
     * Takes a request from the key's allowance, checks its tokens, and reads the budget, in one script run; the
     * caller's own answers not booked yet count as if they were.
     */
    Uni<Admission> admit(String key, Unbooked unbooked) {
        return run(RedisScripts.ADMIT, List.of(keyName(key, "requests"), keyName(key, "tokens"), spendKey, podKey,
                reservationsKey),
                List.of(String.valueOf(limits.requestsPerMinute()), String.valueOf(limits.hourlyTokens()),
                        String.valueOf(limits.hourlyBudgetNanoUsd()), String.valueOf(unbooked.batch()),
                        String.valueOf(unbooked.batchTokens()), String.valueOf(unbooked.pendingTokens()),
                        String.valueOf(unbooked.batchNanoUsd()), String.valueOf(unbooked.pendingNanoUsd())))
                .map(answer -> {
                    Duration wait = Duration.ofMillis(answer.get(1).toLong());
                    Verdict verdict = switch (answer.get(0).toInteger()) {
                        case 0 -> Verdict.ALLOWED;
                        case 1 -> new Verdict(Verdict.Outcome.RATE_LIMITED, wait);
                        default -> new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait);
                    };
                    return new Admission(verdict, budgetVerdict(spend(answer.get(2), answer.get(3), answer.get(4))));
                });
    }

    @Override
    public Uni<Verdict> checkBudget() {
        return checkBudget(Unbooked.NONE);
    }

    Uni<Verdict> checkBudget(Unbooked unbooked) {
        return readSpend(unbooked).map(RedisStateStore::budgetVerdict);
    }

    /** The fleet's spend of the rolling hour (with this pod's unbooked spend), also kept for {@link #lastSpend()}. */
    Uni<Spend> readSpend(Unbooked unbooked) {
        return run(RedisScripts.READ_SPEND, List.of(spendKey, podKey, reservationsKey, expiryKey),
                List.of(String.valueOf(limits.hourlyBudgetNanoUsd()), String.valueOf(unbooked.batch()),
                        String.valueOf(unbooked.batchNanoUsd()), String.valueOf(unbooked.pendingNanoUsd())))
                .map(answer -> spend(answer.get(0), answer.get(1), answer.get(2)));
    }

    @Override
    public Uni<Verdict> reserve(String id, String key, long nanoUsd, long tokens) {
        return reserve(id, key, nanoUsd, tokens, Unbooked.NONE);
    }

    /**
     * As {@link #reserve(String, String, long, long)}, with the caller's answers not booked yet counted as if they
     * were. Running it twice with one id reserves once, so a caller that lost the answer may ask again.
     */
    Uni<Verdict> reserve(String id, String key, long nanoUsd, long tokens, Unbooked unbooked) {
        return run(RedisScripts.RESERVE,
                List.of(spendKey, keyName(key, "tokens"), podKey, reservationsKey, expiryKey),
                List.of(String.valueOf(limits.hourlyBudgetNanoUsd()), String.valueOf(limits.hourlyTokens()),
                        String.valueOf(limits.hasBudget() ? nanoUsd : 0),
                        String.valueOf(limits.hourlyTokens() > 0 ? tokens : 0),
                        String.valueOf(unbooked.batch()), String.valueOf(unbooked.batchTokens()),
                        String.valueOf(unbooked.pendingTokens()), String.valueOf(unbooked.batchNanoUsd()),
                        String.valueOf(unbooked.pendingNanoUsd()), id, key,
                        String.valueOf(limits.reservationTtl().toMillis())))
                .map(answer -> {
                    Duration wait = Duration.ofMillis(answer.get(1).toLong());
                    return switch (answer.get(0).toInteger()) {
                        case 0 -> Verdict.ALLOWED;
                        case 2 -> new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait);
                        default -> new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait);
                    };
                });
    }

    @Override
    public Uni<Void> settle(String reservation, String key, long nanoUsd, long tokens) {
        return book(0, nanoUsd, Map.of(key, tokens), reservation == null ? List.of() : List.of(reservation));
    }

    /**
     * Books batch number {@code batch} (numbers grow; 0: none to track): spend, and each key's tokens (counted only
     * when a token limit is set), and frees the reservations {@code settled}, in one script run. Freeing is by id, so
     * a batch sent twice frees nothing twice.
     */
    Uni<Void> book(long batch, long nanoUsd, Map<String, Long> tokensByKey, List<String> settled) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        keys.add(spendKey);
        keys.add(podKey);
        keys.add(reservationsKey);
        keys.add(expiryKey);
        args.add(String.valueOf(nanoUsd));
        args.add(String.valueOf(limits.hourlyBudgetNanoUsd()));
        args.add(String.valueOf(batch));
        args.add(String.valueOf(limits.reservationTtl().toMillis()));
        if (limits.hourlyTokens() > 0) {
            tokensByKey.forEach((key, tokens) -> {
                if (tokens != 0) {
                    keys.add(keyName(key, "tokens"));
                    args.add(String.valueOf(tokens));
                }
            });
        }
        args.addAll(settled);
        return run(RedisScripts.BOOK, keys, args).map(answer -> spend(answer.get(0), answer.get(1), answer.get(2)))
                .replaceWithVoid();
    }

    /** Connects and loads the scripts, with a start's patience, so that the first requests pay for neither. */
    Uni<Void> warmUp(Duration patience) {
        return Uni.combine().all()
                .unis(load(RedisScripts.ADMIT), load(RedisScripts.READ_SPEND), load(RedisScripts.BOOK),
                        load(RedisScripts.RESERVE)).discardItems()
                .ifNoItem().after(patience).failWith(() -> new StateStoreTimeoutException(patience));
    }

    private Uni<Response> load(RedisScripts.Script script) {
        return redis.execute(Command.SCRIPT, "LOAD", script.text());
    }

    @Override
    public Spend lastSpend() {
        return last;
    }

    private Spend spend(Response sum, Response wait, Response reserved) {
        long waitMs = wait.toLong();
        Spend spend = new Spend(sum.toLong(), waitMs < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(waitMs)),
                reserved.toLong());
        last = spend;
        return spend;
    }

    private static Verdict budgetVerdict(Spend spend) {
        return spend.untilUnderBudget().map(wait -> new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait))
                .orElse(Verdict.ALLOWED);
    }

    /** A key's Redis keys, named after the configured key name (never the key itself). */
    private String keyName(String key, String what) {
        return prefix + "key:{" + key + "}:" + what;
    }

    /** Runs a cached script, sending its text when Redis does not have it (a restarted or new Redis). */
    private Uni<Response> run(RedisScripts.Script script, List<String> keys, List<String> args) {
        return withinTimeout(redis.execute(Command.EVALSHA, evalArgs(script.sha(), keys, args))
                .onFailure(RedisStateStore::isNoScript)
                .recoverWithUni(() -> redis.execute(Command.EVAL, evalArgs(script.text(), keys, args))));
    }

    /**
     * Fails after {@code gateway.state.timeout}, on a Vert.x timer: on the caller's event loop it costs no thread
     * hand-off, where Mutiny's {@code ifNoItem()} schedules on a shared executor for every call.
     */
    private <T> Uni<T> withinTimeout(Uni<T> call) {
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(timeout.toMillis(),
                    ignored -> emitter.fail(new StateStoreTimeoutException(timeout)));
            call.subscribe().with(item -> {
                vertx.cancelTimer(timer);
                emitter.complete(item);
            }, failure -> {
                vertx.cancelTimer(timer);
                emitter.fail(failure);
            });
        });
    }

    private static String[] evalArgs(String script, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(script);
        all.add(String.valueOf(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static boolean isNoScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }
}
