package dev.mistralgateway.cache;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.state.FailoverStateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Mistral's answers to deterministic requests ({@link CacheDecision}), kept for {@code gateway.cache.ttl}: in this
 * pod's memory, bounded by {@code gateway.cache.max-size} bytes (Caffeine, weighed by each answer's bytes), and, when
 * the gateway shares its state through Redis, on Redis too, for the whole fleet (a {@code SET} with the TTL under
 * {@code gateway.state.key-prefix}{@code cache:}). Redis is asked when memory misses, within {@code gateway.state.timeout};
 * when it fails or is slow, the lookup is a miss and the request goes to Mistral: a cache never refuses a request.
 * An answer over {@code gateway.cache.max-entry-size} is served and not kept.
 */
@Singleton
public class ResponseCache {

    private static final Logger LOG = Logger.getLogger(ResponseCache.class);

    private final boolean enabled;
    private final Set<String> defaultKeys;
    private final long maxEntryBytes;
    private final Duration ttl;
    private final Duration redisTimeout;
    private final String redisPrefix;
    private final Cache<String, byte[]> memory;
    private final ReactiveValueCommands<String, byte[]> redis;
    private final Counter redisErrors;
    private final GatewayMetrics metrics;
    private final SpendMeter spend;

    ResponseCache(GatewayConfig config, InjectableInstance<ReactiveRedisDataSource> redis, MeterRegistry registry,
            GatewayMetrics metrics, SpendMeter spend) {
        this.metrics = metrics;
        this.spend = spend;
        GatewayConfig.Cache cache = config.cache();
        this.enabled = cache.enabled();
        this.defaultKeys = Set.copyOf(cache.keys().orElse(List.of()));
        this.maxEntryBytes = cache.maxEntrySize().asLongValue();
        this.ttl = cache.ttl();
        this.redisTimeout = config.state().timeout();
        this.redisPrefix = config.state().keyPrefix() + "cache:";
        this.memory = Caffeine.newBuilder()
                .maximumWeight(cache.maxSize().asLongValue())
                .weigher((String key, byte[] answer) -> key.length() + answer.length)
                .expireAfterWrite(ttl)
                .build();
        this.redis = enabled && FailoverStateStore.redisConfigured(redis) ? redis.get().value(byte[].class) : null;
        this.redisErrors = Counter.builder("mistral.cache.store.errors")
                .description("Cache lookups and stores on Redis that failed or timed out (served as misses)")
                .register(registry);
    }

    /** Whether {@code request} (to {@code endpoint}, as sent to Mistral: {@code body}) is answered from the cache. */
    public CacheDecision decide(RoutingContext request, String endpoint, String clientKey, ObjectNode body,
            boolean alwaysDeterministic) {
        if (!enabled) {
            return CacheDecision.NOT_ASKED;
        }
        return CacheDecision.decide(request.request().getHeader(CacheDecision.HEADER), defaultKeys.contains(clientKey),
                endpoint, clientKey, body, alwaysDeterministic);
    }

    /**
     * The cached answer under {@code key}; null when there is none (or Redis did not answer in time). Completes on the
     * caller's Vert.x context.
     */
    public Uni<Buffer> get(String key) {
        byte[] local = memory.getIfPresent(key);
        if (local != null || redis == null) {
            return Uni.createFrom().item(local == null ? null : Buffer.buffer(local));
        }
        Context caller = Vertx.currentContext();
        Uni<Buffer> shared = redis.get(redisPrefix + key)
                .ifNoItem().after(redisTimeout).fail()
                .map(found -> {
                    if (found == null) {
                        return (Buffer) null;
                    }
                    memory.put(key, found);
                    return Buffer.buffer(found);
                })
                .onFailure().recoverWithItem(failure -> {
                    redisErrors.increment();
                    LOG.debugf("Cache lookup on Redis failed (served as a miss): %s", failure.toString());
                    return null;
                });
        return caller == null ? shared : shared.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }

    /**
     * Counts a hit of {@code endpoint} whose cached answer is {@code answer}: {@code mistral_cache_hits_total} and the
     * USD its usage would have cost at its model's price, {@code mistral_cache_saved_usd_total}.
     */
    public void countHit(String endpoint, JsonNode answer) {
        JsonNode usage = answer.path("usage");
        metrics.cacheHit(endpoint, usage.isObject() ? spend.usd(answer.path("model").asText(""), usage) : 0);
    }

    /** Counts a lookup of {@code endpoint} that found nothing ({@code mistral_cache_misses_total}). */
    public void countMiss(String endpoint) {
        metrics.cacheMiss(endpoint);
    }

    /** Keeps {@code answer} under {@code key}, unless it is over the entry limit. */
    public void put(String key, Buffer answer) {
        if (answer.length() > maxEntryBytes) {
            return;
        }
        byte[] bytes = answer.getBytes();
        memory.put(key, bytes);
        if (redis != null) {
            redis.set(redisPrefix + key, bytes, new SetArgs().px(ttl))
                    .ifNoItem().after(redisTimeout).fail()
                    .subscribe().with(stored -> {
                    }, failure -> {
                        redisErrors.increment();
                        LOG.debugf("Cache store on Redis failed: %s", failure.toString());
                    });
        }
    }
}
