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
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gateway's only way to Mistral. Wraps {@link MistralRestApi}, adds the key, checks that 2xx bodies are JSON objects,
 * and turns every transport failure into a {@link MistralException} subtype so callers can tell them apart.
 */
@ApplicationScoped
public class MistralClient {

    private static final Logger LOG = Logger.getLogger(MistralClient.class);

    private final MistralRestApi api;
    private final String authorization;
    private final Duration readTimeout;

    MistralClient(MistralEndpoint endpoint, MistralConfig config) {
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(endpoint.baseUrl())
                .connectTimeout(config.timeout().connect().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.timeout().read().toMillis(), TimeUnit.MILLISECONDS)
                .build(MistralRestApi.class);
        this.authorization = endpoint.authorization();
        this.readTimeout = config.timeout().read();
    }

    public Uni<JsonNode> models() {
        return guard(api.models(authorization));
    }

    public Uni<JsonNode> chat(ObjectNode request) {
        return guard(api.chat(authorization, request));
    }

    /**
     * The data of each server-sent event as Mistral sends it, ending with {@code [DONE]} when the stream is whole.
     * The read timeout bounds the wait for each event: a stream that stalls fails instead of hanging forever.
     */
    public Multi<String> stream(ObjectNode request) {
        return api.stream(authorization, request)
                .ifNoItem().after(readTimeout).failWith(() -> new MistralTimeoutException(
                        "Mistral sent no stream event for " + readTimeout.toMillis() + " ms", null))
                .onFailure().transform(MistralClient::translate);
    }

    public Uni<JsonNode> embeddings(ObjectNode request) {
        return guard(api.embeddings(authorization, request));
    }

    private static Uni<JsonNode> guard(Uni<JsonNode> call) {
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
