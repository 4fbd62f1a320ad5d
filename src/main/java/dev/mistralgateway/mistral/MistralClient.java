package dev.mistralgateway.mistral;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.resilience.MistralGuard;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gateway's only way to Mistral. Wraps {@link MistralRestApi}, adds the key, checks that 2xx bodies are JSON objects,
 * turns every transport failure into a {@link MistralException} subtype, and applies the {@link MistralGuard}
 * (retry, circuit breaker, timeout) to every call a client request makes.
 */
@ApplicationScoped
public class MistralClient {

    private static final Logger LOG = Logger.getLogger(MistralClient.class);

    private final MistralRestApi api;
    private final String authorization;
    private final Duration streamIdle;

    MistralClient(MistralEndpoint endpoint, MistralConfig config) {
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(endpoint.baseUrl())
                .connectTimeout(config.timeout().connect().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.timeout().read().toMillis(), TimeUnit.MILLISECONDS)
                .build(MistralRestApi.class);
        this.authorization = endpoint.authorization();
        this.streamIdle = config.timeout().streamIdle();
    }

    /** The model list, unguarded: the health probe must see Mistral itself, not the breaker in front of it. */
    public Uni<JsonNode> models() {
        return checked(api.models(authorization));
    }

    @ApplyGuard(MistralGuard.IDENTIFIER)
    public Uni<JsonNode> chat(ObjectNode request) {
        return checked(api.chat(authorization, request));
    }

    /**
     * Opens a stream: completes once Mistral sent the first event, with every event's data (ending with
     * {@code [DONE]} when the stream is whole). Guarded up to the first event; after it, a silence longer than
     * {@code mistral.timeout.stream-idle} fails the stream instead of hanging it.
     */
    @ApplyGuard(MistralGuard.IDENTIFIER)
    public Uni<Multi<String>> openStream(ObjectNode request) {
        Multi<String> events = api.stream(authorization, request)
                .onFailure().transform(MistralClient::translate);
        return FirstEvent.await(events).map(stream -> stream
                .ifNoItem().after(streamIdle).failWith(() -> new MistralTimeoutException(
                        "Mistral sent no stream event for " + streamIdle.toMillis() + " ms", null)));
    }

    @ApplyGuard(MistralGuard.IDENTIFIER)
    public Uni<JsonNode> embeddings(ObjectNode request) {
        return checked(api.embeddings(authorization, request));
    }

    private static Uni<JsonNode> checked(Uni<JsonNode> call) {
        return call.onFailure().transform(MistralClient::translate)
                .invoke(body -> {
                    if (body == null || !body.isObject()) {
                        throw new MistralProtocolException("Mistral answered with a body that is not a JSON object", null);
                    }
                });
    }

    /** Classifies a failure by its cause chain; messages are our own, so nothing from the request (or key) leaks. */
    static MistralException translate(Throwable failure) {
        LOG.debugf("Mistral call failed: %s", failure);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MistralException known) {
                return known;
            }
            if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
                return new MistralTimeoutException("Mistral did not answer in time", failure);
            }
            if (cause instanceof JsonProcessingException) {
                return new MistralProtocolException("Mistral answered with a body that is not valid JSON", failure);
            }
            if (cause instanceof ConnectException) {
                return new MistralConnectionException("Could not connect to Mistral", failure);
            }
        }
        return new MistralConnectionException("The connection to Mistral failed (" + failure.getClass().getSimpleName() + ")",
                failure);
    }
}
