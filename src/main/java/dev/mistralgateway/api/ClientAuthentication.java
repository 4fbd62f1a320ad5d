package dev.mistralgateway.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.logging.Logger;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.api.RetryAfter;
import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.security.ApiKeys;
import dev.mistralgateway.security.FailedAuthThrottle;
import dev.mistralgateway.state.StateStore;
import dev.mistralgateway.state.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets only callers with a gateway key through ({@code Authorization: Bearer <key>}, as the Mistral and OpenAI SDKs
 * send their API key), names them for logs and metrics, and applies their per-key limits before the body is read.
 * An address that keeps failing is throttled ({@link FailedAuthThrottle}), and failures are logged with the client
 * address at a bounded rate.
 */
@Startup
@Singleton
public class ClientAuthentication {

    static final String ANONYMOUS = "anonymous";
    private static final Logger LOG = Logger.getLogger(ClientAuthentication.class);
    private static final String BEARER = "Bearer ";

    private final boolean enabled;
    private final ApiKeys keys;
    private final StateStore limiter;
    private final FailedAuthThrottle throttle;
    private final ErrorResponses errors;
    private final LogBudget failureLines;

    ClientAuthentication(GatewayConfig config, StateStore limiter, FailedAuthThrottle throttle, ErrorResponses errors,
            MeterRegistry registry) {
        this.enabled = config.auth().enabled();
        this.limiter = limiter;
        this.throttle = throttle;
        this.errors = errors;
        this.failureLines = new LogBudget("auth", 1, registry);
        try {
            this.keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        if (enabled && keys.isEmpty()) {
            throw new ConfigurationException("gateway.api-keys is empty: set GATEWAY_API_KEYS (from a Secret) to the"
                    + " client keys, or set gateway.auth.enabled=false to run an open gateway on purpose");
        }
        if (!enabled && LaunchMode.current() == LaunchMode.NORMAL) {
            LOG.warn("Client authentication is DISABLED (gateway.auth.enabled=false): anyone who reaches this service"
                    + " spends on its Mistral key");
        } else if (!enabled) {
            LOG.infof("Client authentication is off in %s mode: the API needs no key", LaunchMode.current().getDefaultProfile());
        } else {
            LOG.infof("Client authentication is on: %d client key(s)", keys.size());
        }
    }

    /**
     * Names the caller in {@code record} and runs {@code admitted} once its limits let it through, or answers the
     * request with a refusal. The limits are asynchronous (they may be shared through Redis): {@code admitted} runs on
     * this request's context, at once when they are counted in memory.
     */
    void authenticate(RoutingContext context, RequestRecord record, Runnable admitted) {
        if (!enabled) {
            record.key(ANONYMOUS);
            admitted.run();
            return;
        }
        String address = address(context);
        Optional<Duration> blocked = throttle.blocked(address);
        if (blocked.isPresent()) {
            errors.refuse(context, ApiException.authThrottled(blocked.get()));
            return;
        }
        if (context.request().headers().getAll(HttpHeaders.AUTHORIZATION).size() > 1) {
            // Which one would count is a guess an intermediary might make differently: neither does.
            errors.refuse(context, ApiException.invalid("Send one Authorization header, not several"));
            return;
        }
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            failed(context, address, "no", "Missing API key: send 'Authorization: Bearer <gateway key>'");
            return;
        }
        Optional<String> name = keys.authenticate(header.substring(BEARER.length()).strip());
        if (name.isEmpty()) {
            failed(context, address, "an invalid", "Invalid API key");
            return;
        }
        record.key(name.get());
        limiter.admitKey(name.get()).subscribe().with(verdict -> {
            Optional<ApiException> overLimit = overLimit(name.get(), verdict);
            if (overLimit.isPresent()) {
                errors.refuse(context, overLimit.get());
            } else {
                admitted.run();
            }
        }, failure -> errors.fail(context, failure));
    }

    private void failed(RoutingContext context, String address, String what, String message) {
        throttle.failed(address);
        if (failureLines.tryLine()) {
            LOG.warnf("Refused a request from %s with %s API key (at most one such line a second;"
                    + " mistral_log_lines_dropped_total{log=\"auth\"} counts the rest)", address, what);
        }
        errors.refuse(context, ApiException.unauthenticated(message));
    }

    /** The client's address: the peer, or what a trusted proxy says it is when quarkus.http.proxy.* is configured. */
    private static String address(RoutingContext context) {
        SocketAddress remote = context.request().remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }

    private static Optional<ApiException> overLimit(String key, Verdict verdict) {
        Duration wait = verdict.retryAfter();
        return switch (verdict.outcome()) {
            case ALLOWED -> Optional.empty();
            case RATE_LIMITED -> Optional.of(ApiException.keyLimited("Key '" + key
                    + "' is over its request rate limit; retry in " + RetryAfter.seconds(wait) + " s", wait));
            case UNAVAILABLE -> Optional.of(ApiException.stateUnavailable(wait));
            default -> Optional.of(ApiException.keyLimited("Key '" + key
                    + "' used its hourly token allowance; retry in " + RetryAfter.seconds(wait) + " s", wait));
        };
    }
}
