package dev.mistralgateway.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;

/**
 * The counters on Redis, shared by every pod: one script run ({@link RedisScripts}) per check or booking, so that
 * a check and its count are one atomic step; the runs an event loop makes while its last ones are on their way go
 * together, as one ({@link ScriptBatches}). Every call fails after {@code gateway.state.timeout}; what then
 * happens is {@link FailoverStateStore}'s business.
 */
final class RedisStateStore implements StateStore {

    /** A key's verdict, and the budget's, from one round trip. */
    record Admission(Verdict key, Verdict budget) {
    }

    /** One script run to make. */
    private record Run(RedisScripts.Script script, List<String> keys, List<String> args) {
    }

    private final RedisConnections redis;
    private final ScriptBatches<Run, Response> batches = new ScriptBatches<>(this::runAll);
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
    private final Map<String, long[]> lastKeySpend = new ConcurrentHashMap<>();
    /** The buckets of the windows a key's budget is counted over, as the scripts take them (ms and count, each). */
    private static final List<String> WINDOWS = Arrays.stream(Window.values())
            .flatMap(window -> Stream.of(String.valueOf(window.bucketMillis()), String.valueOf(window.buckets())))
            .toList();

    RedisStateStore(RedisConnections redis, Vertx vertx, Limits limits, String prefix, Duration timeout) {
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
        return run(RedisScripts.RESERVE, reserveKeys(key), reserveArgs(id, key, nanoUsd, tokens, unbooked))
                .map(answer -> {
                    Duration wait = Duration.ofMillis(answer.get(1).toLong());
                    return switch (answer.get(0).toInteger()) {
                        case 0 -> Verdict.ALLOWED;
                        case 2 -> new Verdict(Verdict.Outcome.TOKENS_EXHAUSTED, wait);
                        case 4 -> new Verdict(Verdict.Outcome.KEY_BUDGET_EXHAUSTED, wait);
                        default -> new Verdict(Verdict.Outcome.BUDGET_EXHAUSTED, wait);
                    };
                });
    }

    /** What a {@link RedisScripts#SHARE} run granted: requests, nano-USD and tokens. */
    record Grant(long requests, long nanoUsd, long tokens) {
    }

    /**
     * Takes a share of {@code key}'s limits for this pod ({@link RedisScripts#SHARE}), giving back {@code returned}
     * unused requests of its last one; each asked amount is granted up to what is left of its limit divided by
     * {@code divisor}, or not at all when under its least ({@code least}: requests, nano-USD, tokens).
     */
    Uni<Grant> share(String id, String key, Grant asked, long returned, long divisor, Grant least,
            Unbooked unbooked) {
        List<String> keys = new ArrayList<>(reserveKeys(key));
        keys.add(keyName(key, "requests"));
        List<String> args = reserveArgs(id, key, asked.nanoUsd(), asked.tokens(), unbooked);
        args.addAll(List.of(String.valueOf(limits.requestsPerMinute()), String.valueOf(returned),
                String.valueOf(asked.requests()), String.valueOf(divisor), String.valueOf(least.requests()),
                String.valueOf(least.nanoUsd()), String.valueOf(least.tokens())));
        return run(RedisScripts.SHARE, keys, args)
                .map(answer -> new Grant(answer.get(0).toLong(), answer.get(1).toLong(), answer.get(2).toLong()));
    }

    /** {@link RedisScripts#RESERVE}'s KEYS, which {@link RedisScripts#SHARE}'s start with. */
    private List<String> reserveKeys(String key) {
        List<String> keys = new ArrayList<>(List.of(spendKey, keyName(key, "tokens"), podKey, reservationsKey,
                expiryKey));
        keys.addAll(keySpendKeys(key));
        return keys;
    }

    /** {@link RedisScripts#RESERVE}'s ARGV, which {@link RedisScripts#SHARE}'s start with. */
    private List<String> reserveArgs(String id, String key, long nanoUsd, long tokens, Unbooked unbooked) {
        List<String> args = new ArrayList<>(List.of(String.valueOf(limits.hourlyBudgetNanoUsd()),
                String.valueOf(limits.hourlyTokens()), String.valueOf(limits.reservedNanoUsd(key, nanoUsd)),
                String.valueOf(limits.reservedTokens(tokens)),
                String.valueOf(unbooked.batch()), String.valueOf(unbooked.batchTokens()),
                String.valueOf(unbooked.pendingTokens()), String.valueOf(unbooked.batchNanoUsd()),
                String.valueOf(unbooked.pendingNanoUsd()), id, key,
                String.valueOf(limits.reservationTtl().toMillis())));
        Limits.KeyBudget budget = limits.keyBudgets().get(key);
        for (Window window : Window.values()) {
            args.add(String.valueOf(budget == null ? 0 : budget.limit(window)));
        }
        args.add(String.valueOf(unbooked.batchKeyNanoUsd()));
        args.add(String.valueOf(unbooked.pendingKeyNanoUsd()));
        args.addAll(WINDOWS);
        return args;
    }

    /** A key's spend windows on Redis, in the order of {@link Window}. */
    private List<String> keySpendKeys(String key) {
        return List.of(keyName(key, "spend:hour"), keyName(key, "spend:day"), keyName(key, "spend:month"));
    }

    /** The budgeted keys' spend of each window, read for their gauges ({@link #keySpend}). */
    Uni<Void> readKeySpend() {
        List<String> names = List.copyOf(limits.keyBudgets().keySet());
        if (names.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> keys = new ArrayList<>();
        names.forEach(name -> keys.addAll(keySpendKeys(name)));
        return run(RedisScripts.READ_KEY_SPEND, keys, WINDOWS).map(answer -> {
            for (int i = 0; i < names.size(); i++) {
                long[] sums = new long[Window.values().length];
                for (Window window : Window.values()) {
                    sums[window.ordinal()] = answer.get(i * sums.length + window.ordinal()).toLong();
                }
                lastKeySpend.put(names.get(i), sums);
            }
            return null;
        }).replaceWithVoid();
    }

    @Override
    public long keySpend(String key, Window window) {
        long[] sums = lastKeySpend.get(key);
        return sums == null ? 0 : sums[window.ordinal()];
    }

    @Override
    public Uni<Void> settle(String reservation, String key, long nanoUsd, long tokens) {
        return book(0, nanoUsd, Map.of(key, tokens), Map.of(key, nanoUsd),
                reservation == null ? List.of() : List.of(reservation));
    }

    /**
     * Books batch number {@code batch} (numbers grow; 0: none to track): spend, each key's tokens (counted only when
     * a token limit is set) and nano-USD (counted only for a key with a budget of its own), and frees the reservations
     * {@code settled}, in one script run. Freeing is by id, so a batch sent twice frees nothing twice.
     */
    Uni<Void> book(long batch, long nanoUsd, Map<String, Long> tokensByKey, Map<String, Long> nanoUsdByKey,
            List<String> settled) {
        List<String> keys = new ArrayList<>(List.of(spendKey, podKey, reservationsKey, expiryKey));
        Map<String, Long> tokens = limits.hourlyTokens() > 0 ? nonZero(tokensByKey, key -> true) : Map.of();
        Map<String, Long> spent = nonZero(nanoUsdByKey, limits::hasKeyBudget);
        List<String> args = new ArrayList<>(List.of(String.valueOf(nanoUsd),
                String.valueOf(limits.hourlyBudgetNanoUsd()), String.valueOf(batch),
                String.valueOf(limits.reservationTtl().toMillis()), String.valueOf(tokens.size()),
                String.valueOf(spent.size())));
        args.addAll(WINDOWS);
        tokens.forEach((key, count) -> {
            keys.add(keyName(key, "tokens"));
            args.add(String.valueOf(count));
        });
        spent.forEach((key, count) -> {
            keys.addAll(keySpendKeys(key));
            args.add(String.valueOf(count));
        });
        args.addAll(settled);
        return run(RedisScripts.BOOK, keys, args).map(answer -> spend(answer.get(0), answer.get(1), answer.get(2)))
                .replaceWithVoid();
    }

    private static Map<String, Long> nonZero(Map<String, Long> counts, Predicate<String> counted) {
        Map<String, Long> kept = new LinkedHashMap<>();
        counts.forEach((key, count) -> {
            if (count != 0 && counted.test(key)) {
                kept.put(key, count);
            }
        });
        return kept;
    }

    /** Connects and loads the scripts, with a start's patience, so that the first requests pay for neither. */
    Uni<Void> warmUp(Duration patience) {
        return Uni.combine().all()
                .unis(load(RedisScripts.ADMIT), load(RedisScripts.READ_SPEND), load(RedisScripts.BOOK),
                        load(RedisScripts.RESERVE), load(RedisScripts.READ_KEY_SPEND), load(RedisScripts.SHARE),
                        load(RedisScripts.BATCH))
                .discardItems()
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

    /** Runs a script, with others of the same event loop when they wait for Redis too ({@link ScriptBatches}). */
    private Uni<Response> run(RedisScripts.Script script, List<String> keys, List<String> args) {
        Run run = new Run(script, keys, args);
        return withinTimeout(RedisScripts.BATCHED.contains(script) ? batches.submit(run) : runAlone(run));
    }

    /** Runs alone, or as one {@link RedisScripts#BATCH} when there are several; answers each in order. */
    private Uni<List<Response>> runAll(List<Run> runs) {
        if (runs.size() == 1) {
            return withinTimeout(runAlone(runs.get(0))).map(List::of);
        }
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(runs.size()));
        for (Run run : runs) {
            keys.addAll(run.keys());
            args.add(String.valueOf(RedisScripts.BATCHED.indexOf(run.script()) + 1));
            args.add(String.valueOf(run.keys().size()));
            args.add(String.valueOf(run.args().size()));
            args.addAll(run.args());
        }
        return withinTimeout(runAlone(new Run(RedisScripts.BATCH, keys, args))).map(answers -> {
            List<Response> each = new ArrayList<>(runs.size());
            for (int i = 0; i < runs.size(); i++) {
                each.add(answers.get(i));
            }
            return each;
        });
    }

    /** Runs a cached script, sending its text when Redis does not have it (a restarted or new Redis). */
    private Uni<Response> runAlone(Run run) {
        return redis.execute(Command.EVALSHA, evalArgs(run.script().sha(), run.keys(), run.args()))
                .onFailure(RedisStateStore::isNoScript)
                .recoverWithUni(() -> redis.execute(Command.EVAL, evalArgs(run.script().text(), run.keys(), run.args())));
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
