package dev.mistralgateway.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The counters on Redis, shared by every pod: one script run ({@link RedisScripts}) per check or booking, so that
 * a check and its count are one atomic step. Every call fails after {@code gateway.state.timeout}; what then
 * happens is {@link FailoverStateStore}'s business.
 */
final class RedisStateStore implements StateStore {

    private static final Uni<Verdict> ALLOWED = Uni.createFrom().item(Verdict.ALLOWED);

    private final ReactiveRedisDataSource redis;
    private final Limits limits;
    private final String spendKey;
    private final String prefix;
    private final Duration timeout;
    private volatile Spend last = Spend.NONE;

    RedisStateStore(ReactiveRedisDataSource redis, Limits limits, String prefix, Duration timeout) {
        this.redis = redis;
        this.limits = limits;
        this.prefix = prefix;
        this.spendKey = prefix + "spend";
        this.timeout = timeout;
    }

    @Override
    public Uni<Verdict> admitKey(String key) {
        if (!limits.limitsKeys()) {
            return ALLOWED;
        }
        return run(RedisScripts.ADMIT_KEY, List.of(keyName(key, "requests"), keyName(key, "tokens")),
                List.of(String.valueOf(limits.requestsPerMinute()), String.valueOf(limits.hourlyTokens())))
                .map(answer -> switch (answer.get(0).toInteger()) {
                    case 0 -> Verdict.ALLOWED;
                    case 1 -> new Verdict(Verdict.Outcome.RATE_LIMITED, Duration.ofMillis(answer.get(1).toLong()));
                    default -> new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, Duration.ofMillis(answer.get(1).toLong()));
                });
    }

    @Override
    public Uni<Verdict> checkBudget() {
        return readSpend().map(spend -> spend.untilUnderBudget()
                .map(wait -> new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait))
                .orElse(Verdict.ALLOWED));
    }

    /** The fleet's spend of the rolling hour, also kept for {@link #lastSpend()}. */
    Uni<Spend> readSpend() {
        return run(RedisScripts.READ_SPEND, List.of(spendKey), List.of(String.valueOf(limits.hourlyBudgetNanoUsd())))
                .map(this::spend);
    }

    @Override
    public Uni<Void> record(String key, long nanoUsd, long tokens) {
        return run(RedisScripts.RECORD, List.of(spendKey, keyName(key, "tokens")), List.of(String.valueOf(nanoUsd),
                String.valueOf(limits.hourlyTokens() > 0 ? tokens : 0), String.valueOf(limits.hourlyBudgetNanoUsd())))
                .map(this::spend).replaceWithVoid();
    }

    /** Connects and loads the scripts, with a start's patience, so that the first requests pay for neither. */
    Uni<Void> warmUp(Duration patience) {
        return Uni.combine().all().unis(load(RedisScripts.ADMIT_KEY), load(RedisScripts.READ_SPEND), load(RedisScripts.RECORD))
                .discardItems()
                .ifNoItem().after(patience).failWith(() -> new StateStoreTimeoutException(patience));
    }

    private Uni<Response> load(RedisScripts.Script script) {
        return redis.execute("SCRIPT", "LOAD", script.text());
    }

    @Override
    public Spend lastSpend() {
        return last;
    }

    private Spend spend(Response answer) {
        long wait = answer.get(1).toLong();
        Spend spend = new Spend(answer.get(0).toLong(), wait < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait)));
        last = spend;
        return spend;
    }

    /** A key's names share a hash tag ({@code {name}}), so that one script's keys map to one Redis Cluster slot. */
    private String keyName(String key, String what) {
        return prefix + "key:{" + key + "}:" + what;
    }

    /** Runs a cached script, sending its text when Redis does not have it (a restarted or new Redis). */
    private Uni<Response> run(RedisScripts.Script script, List<String> keys, List<String> args) {
        return redis.execute("EVALSHA", evalArgs(script.sha(), keys, args))
                .onFailure(RedisStateStore::isNoScript).recoverWithUni(() -> redis.execute("EVAL", evalArgs(script.text(), keys, args)))
                .ifNoItem().after(timeout).failWith(() -> new StateStoreTimeoutException(timeout));
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
