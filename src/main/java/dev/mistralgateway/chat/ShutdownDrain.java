package dev.mistralgateway.chat;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Ends the chat requests still in flight when the gateway stops, before Quarkus stops waiting for them, so that no
 * client sees a reset. Quarkus does the rest ({@code quarkus.shutdown.*}): at SIGTERM readiness goes DOWN and the
 * gateway serves on for {@code quarkus.shutdown.delay}, then it waits up to {@code quarkus.shutdown.timeout} for the
 * requests in flight. {@code gateway.shutdown.stream-drain} after the delay, this ends each stream still open with an
 * error event and answers each plain request still waiting for Mistral with 503 (their Mistral calls are cancelled);
 * requests that arrive after that are refused with 503 at once.
 */
@Startup
@Singleton
public class ShutdownDrain {

    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);

    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private final Vertx vertx;
    private final Duration delay;
    private final Duration streamDrain;
    private volatile boolean over;

    ShutdownDrain(Vertx vertx, GatewayConfig config,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> timeout) {
        this.vertx = vertx;
        this.delay = delay.orElse(Duration.ZERO);
        this.streamDrain = config.shutdown().streamDrain();
        if (timeout.isPresent() && streamDrain.compareTo(timeout.get()) >= 0) {
            // Quarkus would stop waiting first and cut the streams instead of ending them with the error event.
            throw new ConfigurationException("gateway.shutdown.stream-drain (" + streamDrain.toSeconds()
                    + " s) must be below quarkus.shutdown.timeout (" + timeout.get().toSeconds() + " s)");
        }
    }

    /** Fired by Quarkus at SIGTERM, when readiness goes DOWN (needs {@code quarkus.shutdown.delay-enabled}). */
    void shutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        LOG.infof("Shutting down: readiness is DOWN, requests are served for %d ms more, then streams in flight have"
                + " %d ms to finish", delay.toMillis(), streamDrain.toMillis());
        vertx.setTimer(Math.max(1, delay.plus(streamDrain).toMillis()), id -> endAll());
    }

    /** The 503 of a request the gateway cannot finish because it is stopping; another pod can take the retry. */
    static ApiException shuttingDown() {
        return new ApiException(503, "shutting_down", "The gateway is shutting down; retry the request",
                Duration.ofSeconds(1));
    }

    /** Tracks a request until {@link InFlight#done()}; null when the drain is over and the request must be refused. */
    InFlight track(Context context) {
        if (over) {
            return null;
        }
        InFlight request = new InFlight(context);
        inFlight.add(request);
        return request;
    }

    private void endAll() {
        over = true;
        if (!inFlight.isEmpty()) {
            LOG.infof("Ending %d chat request(s) still in flight", inFlight.size());
        }
        for (InFlight request : inFlight) {
            request.context.runOnContext(ignored -> request.end());
        }
    }

    /** One chat request in flight; what ends it changes once its stream started. */
    final class InFlight {

        private final Context context;
        private volatile Runnable end = () -> {
        };

        private InFlight(Context context) {
            this.context = context;
        }

        /** What to do on the request's context when the drain is over: answer, or end the stream. */
        void onShutdown(Runnable end) {
            this.end = end;
        }

        void done() {
            inFlight.remove(this);
        }

        private void end() {
            if (inFlight.remove(this)) {
                end.run();
            }
        }
    }
}
