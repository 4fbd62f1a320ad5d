package dev.mistralgateway.mistral;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.UpstreamKeyMetrics;
import dev.mistralgateway.metrics.UpstreamKeyMetrics.Outcome;
import io.smallrye.mutiny.Uni;

/**
 * The gateway's Mistral keys and the choice of one for each attempt: the key in rotation with the most headroom
 * (Mistral's rate-limit headers), taking turns while they tie (as they do until Mistral has said). A key that answered
 * 429 rests until its Retry-After; one that answered 401/403 is taken out until a call or a probe with it succeeds.
 * When no key is in rotation the attempt still goes out, on the key that wakes first (or, all rejected, in turn): with
 * one key, the gateway behaves as if it had no choice to make.
 * <p>
 * A 429 or 401/403 while another key is in rotation is that key's failure, not Mistral's: it goes on marked
 * ({@link MistralApiException#onAnotherKey()}), so the breaker does not count it and the retry goes at once, to the other
 * key.
 */
@Singleton
public class UpstreamKeys {

    private static final Logger LOG = Logger.getLogger(UpstreamKeys.class);

    private final List<UpstreamKey> keys;
    private final long restNanos;
    private final LongSupplier clock;
    private final UpstreamKeyMetrics metrics;
    private final AtomicInteger turn = new AtomicInteger();

    @Inject
    UpstreamKeys(MistralEndpoint endpoint, MistralConfig config, UpstreamKeyMetrics metrics) {
        this(endpoint.keys(), config.keyRest(), System::nanoTime, metrics);
    }

    UpstreamKeys(Map<String, String> keys, Duration rest, LongSupplier clock, UpstreamKeyMetrics metrics) {
        List<UpstreamKey> all = new ArrayList<>();
        keys.forEach((name, key) -> all.add(new UpstreamKey(name, key, clock)));
        this.keys = List.copyOf(all);
        this.restNanos = rest.toNanos();
        this.clock = clock;
        this.metrics = metrics;
        this.keys.forEach(metrics::register);
    }

    /** One attempt of a call on the key {@link #pick()} chooses, its outcome recorded against that key. */
    <T> Uni<T> attempt(Function<UpstreamKey, Uni<T>> call) {
        return Uni.createFrom().deferred(() -> on(pick(), call));
    }

    /** A call on {@code key}, its outcome recorded against it. */
    <T> Uni<T> on(UpstreamKey key, Function<UpstreamKey, Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            key.sending();
            return call.apply(key);
        }).onItem().invoke(() -> succeeded(key))
                .onFailure().transform(failure -> failed(key, failure));
    }

    /** The key for the next attempt. */
    UpstreamKey pick() {
        long now = clock.getAsLong();
        int start = Math.floorMod(turn.getAndIncrement(), keys.size());
        UpstreamKey best = null;
        double bestHeadroom = -1;
        UpstreamKey wakesFirst = null;
        for (int i = 0; i < keys.size(); i++) {
            UpstreamKey key = keys.get((start + i) % keys.size());
            if (key.rejected()) {
                continue;
            }
            if (key.resting(now)) {
                if (wakesFirst == null || key.restingUntil() - wakesFirst.restingUntil() < 0) {
                    wakesFirst = key;
                }
                continue;
            }
            double headroom = key.headroom(now);
            if (headroom > bestHeadroom) {
                best = key;
                bestHeadroom = headroom;
            }
        }
        if (best != null) {
            return best;
        }
        return wakesFirst != null ? wakesFirst : keys.get(start);
    }

    /** The rate-limit headers of any answer on {@code key}; {@code header} looks one up by name. */
    void observed(UpstreamKey key, UnaryOperator<String> header) {
        key.observe(RateLimitHeaders.read(header), clock.getAsLong());
    }

    void succeeded(UpstreamKey key) {
        if (key.rejected()) {
            LOG.infof("Mistral accepts upstream key '%s' again: back in rotation", key.name());
        }
        key.accepted();
        metrics.call(key.name(), Outcome.SUCCESS);
    }

    /** Records the failure against {@code key}; returns it, marked when another key can take the next attempt. */
    Throwable failed(UpstreamKey key, Throwable failure) {
        MistralException kind = MistralException.of(failure);
        if (kind instanceof MistralCancelledException) {
            metrics.call(key.name(), Outcome.CANCELLED);
            return failure;
        }
        if (!(kind instanceof MistralApiException api) || !(api.status() == 429 || api.status() == 401 || api.status() == 403)) {
            metrics.call(key.name(), Outcome.ERROR);
            return failure;
        }
        long now = clock.getAsLong();
        if (api.status() == 429) {
            key.rest(now + api.retryAfter().map(Duration::toNanos).orElse(restNanos));
            metrics.call(key.name(), Outcome.THROTTLED);
        } else {
            if (!key.rejected()) {
                LOG.errorf("Mistral rejected upstream key '%s' (HTTP %d): taken out of rotation until a call or probe with"
                        + " it succeeds. Check that key in MISTRAL_API_KEYS / MISTRAL_API_KEY.", key.name(), api.status());
            }
            key.reject(api.status());
            metrics.call(key.name(), Outcome.REJECTED);
        }
        return anotherInRotation(key, now) ? api.onAnotherKey() : failure;
    }

    /** Whether a key other than {@code key} is in rotation with headroom left. */
    private boolean anotherInRotation(UpstreamKey key, long now) {
        for (UpstreamKey other : keys) {
            if (other != key && !other.rejected() && !other.resting(now) && other.headroom(now) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Every key, in configured order. */
    List<UpstreamKey> all() {
        return keys;
    }

    /** What {@code /health} shows of each key, in configured order. */
    public List<KeyStatus> statuses() {
        long now = clock.getAsLong();
        return keys.stream().map(key -> new KeyStatus(key.name(), key.state(now).label(),
                key.remainingRequests() >= 0 ? key.remainingRequests() : null,
                key.remainingTokens() >= 0 ? key.remainingTokens() : null,
                key.resting(now) ? Math.max(1, (key.restingUntil() - now + 999_999_999L) / 1_000_000_000L) : null,
                key.rejected() ? key.rejectedStatus() : null)).toList();
    }

    /** The names of the keys Mistral rejected. */
    public List<String> rejected() {
        return keys.stream().filter(UpstreamKey::rejected).map(UpstreamKey::name).toList();
    }

    public int size() {
        return keys.size();
    }

    /**
     * One key as {@code /health} shows it: its name (never the key), its state ({@code active}, {@code resting},
     * {@code rejected}), what Mistral last said is left of its minute, how long it still rests, Mistral's refusal.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyStatus(String name, String state, Long remainingRequests, Long remainingTokens, Long restingSeconds,
            Integer rejectedStatus) {
    }
}
