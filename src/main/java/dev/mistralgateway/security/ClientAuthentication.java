package dev.mistralgateway.security;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.logging.Logger;

import dev.mistralgateway.chat.ApiException;
import dev.mistralgateway.chat.ErrorResponses;
import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.metrics.RequestObserver;
import dev.mistralgateway.metrics.RequestRecord;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets only callers with a gateway key reach the API ({@code Authorization: Bearer <key>}, as the Mistral and
 * OpenAI SDKs send their API key), names them for logs and metrics, and applies their per-key limits before the
 * body is read. Health and metrics endpoints stay open for probes and scrapers.
 */
@ApplicationScoped
public class ClientAuthentication {

    public static final int ORDER = RequestObserver.ORDER - 1;
    static final String ANONYMOUS = "anonymous";
    private static final Logger LOG = Logger.getLogger(ClientAuthentication.class);
    private static final String BEARER = "Bearer ";

    private final boolean enabled;
    private final ApiKeys keys;
    private final KeyRateLimiter limiter;
    private final ErrorResponses errors;

    ClientAuthentication(GatewayConfig config, KeyRateLimiter limiter, ErrorResponses errors) {
        this.enabled = config.auth().enabled();
        this.limiter = limiter;
        this.errors = errors;
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

    void install(@Observes Filters filters) {
        filters.register(this::authenticate, ORDER);
    }

    private void authenticate(RoutingContext context) {
        if (RequestObserver.endpointOf(context.request().path()) == null) {
            context.next();
            return;
        }
        RequestRecord record = RequestRecord.current();
        if (!enabled) {
            record.key(ANONYMOUS);
            context.next();
            return;
        }
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            errors.refuse(context, ApiException.unauthenticated(
                    "Missing API key: send 'Authorization: Bearer <gateway key>'"));
            return;
        }
        Optional<String> name = keys.authenticate(header.substring(BEARER.length()).strip());
        if (name.isEmpty()) {
            errors.refuse(context, ApiException.unauthenticated("Invalid API key"));
            return;
        }
        record.key(name.get());
        Optional<ApiException> overLimit = overLimit(name.get());
        if (overLimit.isPresent()) {
            errors.refuse(context, overLimit.get());
            return;
        }
        context.next();
    }

    private Optional<ApiException> overLimit(String key) {
        Optional<Duration> wait = limiter.tryAcquire(key);
        if (wait.isPresent()) {
            return Optional.of(ApiException.keyLimited("Key '" + key + "' is over its request rate limit; retry in "
                    + Math.max(1, wait.get().toSeconds()) + " s", wait.get()));
        }
        return limiter.tokensExhausted(key).map(tokensWait -> ApiException.keyLimited("Key '" + key
                + "' used its hourly token allowance; retry in " + Math.max(1, tokensWait.toSeconds()) + " s", tokensWait));
    }
}
