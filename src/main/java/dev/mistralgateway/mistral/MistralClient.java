package dev.mistralgateway.mistral;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.GatewayMetrics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The gateway's only way to Mistral. Calls each attempt of a client request through {@link MistralGuard} (retry,
 * circuit breaker, timeout: SmallRye Fault Tolerance's annotations), reads the model catalogue through the REST client
 * ({@link MistralApi}), and sends calls with bodies over the pooled connections of the calling event loop
 * ({@link MistralConnections}): plain answers read with a size bound ({@link MistralCalls}), streams with backpressure
 * ({@link MistralStreams}). It sends each attempt on the upstream key {@link UpstreamKeys} picks for it, checks that
 * 2xx bodies are JSON objects and turns every failure into a {@link MistralException} kind. Why calls with bodies are not on the REST client: src/docs/decisions.md (the proof:
 * {@code RestClientLimitsTest}).
 */
@Singleton
public class MistralClient {

    private static final Logger LOG = Logger.getLogger(MistralClient.class);
    private static final String TRANSCRIPTIONS = "/v1/audio/transcriptions";

    private final MistralApi api;
    private final String baseUrl;
    private final MistralConnections connections;
    private final MistralCalls calls;
    private final MistralStreams streams;
    private final UpstreamKeys keys;
    private final Duration readTimeout;
    private final GatewayMetrics metrics;
    private final Tracer tracer;
    private final ObjectMapper json;
    /** Reads the fields of plain answers (see {@link MistralAnswer}). */
    private final ObjectReader answers;
    private final MistralGuard guard;

    MistralClient(MistralEndpoint endpoint, MistralConfig config, GatewayMetrics metrics, UpstreamKeys keys,
            Tracer tracer, ObjectMapper json, Vertx vertx, TlsConfigurationRegistry tlsRegistry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean tracingOff,
            MistralGuard guard, @RestClient MistralApi api) {
        this.guard = guard;
        this.api = api;
        this.baseUrl = endpoint.baseUrl().toString();
        // With the SDK off, Quarkus' tracer still builds and ends real spans that nobody exports (measured: 1-2 % of
        // the CPU of a plain call): the no-op tracer costs nothing.
        this.tracer = tracingOff ? OpenTelemetry.noop().getTracer(MistralGuard.BREAKER) : tracer;
        this.json = json;
        this.answers = json.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        Optional<TlsConfiguration> tls = MistralTls.configuration(tlsRegistry, config);
        this.connections = new MistralConnections(vertx, endpoint.baseUrl(), config, MistralTls.clientOptions(tls));
        this.keys = keys;
        this.calls = new MistralCalls(connections, config.maxResponseSize().asLongValue(),
                (key, headers) -> keys.observed(key, headers::get));
        this.streams = new MistralStreams(vertx, connections, config, (key, headers) -> keys.observed(key, headers::get));
        this.metrics = metrics;
        this.readTimeout = config.timeout().read();
    }

    /** Closes every connection to Mistral (each event loop's included) when the application stops. */
    @PreDestroy
    void close() {
        connections.close();
    }

    /**
     * The model list, through the REST client ({@link MistralApi}), asked with every upstream key at once, so that the
     * probe keeps each key's state true (a rejected key taken out, or back once Mistral accepts it again). Unguarded:
     * the health probe must see Mistral itself, not the breaker in front of it. The first key that got the list gives
     * it; with none, the failure that says most: an outage or a throttled key before a rejected one, so the probe
     * reports rejected credentials only when Mistral rejected every key.
     */
    public Uni<JsonNode> models() {
        List<Uni<Object>> probes = new ArrayList<>();
        for (UpstreamKey key : keys.all()) {
            probes.add(keys.on(key, this::models).onItem().<Object>transform(list -> list)
                    .onFailure().recoverWithItem(failure -> failure));
        }
        return Uni.join().all(probes).andFailFast().map(MistralClient::firstList);
    }

    private Uni<JsonNode> models(UpstreamKey key) {
        return Uni.createFrom().deferred(() -> api.models(baseUrl, key.authorization()))
                .onFailure().transform(MistralClient::translate)
                .invoke(response -> keys.observed(key, response::getHeaderString))
                .map(RestResponse::getEntity)
                .map(this::jsonObject)
                .onFailure().invoke(this::countError);
    }

    private static JsonNode firstList(List<Object> results) {
        MistralException chosen = null;
        for (Object result : results) {
            if (result instanceof JsonNode list) {
                return list;
            }
            MistralException failure = MistralException.of((Throwable) result);
            if (chosen == null || rejectedKey(chosen) && !rejectedKey(failure)) {
                chosen = failure;
            }
        }
        throw chosen;
    }

    private static boolean rejectedKey(MistralException failure) {
        return failure instanceof MistralApiException api && (api.status() == 401 || api.status() == 403);
    }

    /** Call through {@link Cancellation#guarded}, so that cancelling the result cancels the attempt. */
    public Uni<MistralAnswer> chat(ObjectNode request, Cancellation cancellation) {
        return post("chat/completions", "chat", request, cancellation);
    }

    /**
     * Opens a stream: completes once Mistral sent the first event, with every event's data (ending with
     * {@code [DONE]} when the stream is whole). Guarded up to the first event; after it, a silence longer than
     * {@code mistral.timeout.stream-idle} fails the stream instead of hanging it. Call through
     * {@link Cancellation#guarded}: cancelling it cancels the stream, before its first event or after.
     */
    public Uni<Multi<String>> openStream(ObjectNode request, Cancellation cancellation) {
        return guarded(key -> opened(key, "chat/completions", "chat_stream", request, cancellation));
    }

    /**
     * Calls any other JSON endpoint of Mistral's API: {@code path} relative to {@code /v1} (e.g.
     * {@code fim/completions}), {@code endpoint} the name its metrics and spans carry. Call through
     * {@link Cancellation#guarded}, so that cancelling the result cancels the attempt.
     */
    public Uni<MistralAnswer> post(String path, String endpoint, ObjectNode request, Cancellation cancellation) {
        return guarded(key -> observed(endpoint, request, cancellation,
                () -> answer(calls.post("/v1/" + path, key, bytes(request), cancellation))));
    }

    /** Opens a stream of any other streaming endpoint, as {@link #openStream(ObjectNode, Cancellation)} does for chat. */
    public Uni<Multi<String>> openStream(String path, String endpoint, ObjectNode request, Cancellation cancellation) {
        return guarded(key -> opened(key, path, endpoint + "_stream", request, cancellation));
    }

    /**
     * Transcribes an upload that is streamed to Mistral as it arrives ({@code POST /v1/audio/transcriptions}). Guarded
     * like every call, by the same circuit breaker, but never retried: the body cannot be sent twice, so the attempt's
     * failure goes out as a {@link MistralUnrepeatableException}, which the guard's retry lets through. Call through
     * {@link Cancellation#guarded}, so that cancelling the result cancels the upload.
     */
    public Uni<MistralAnswer> transcribe(String model, StreamedBody upload, Cancellation cancellation) {
        ObjectNode described = json.createObjectNode().put("model", model);
        return unwrapped(guard.call(() -> keys.attempt(key -> observed("transcriptions", described, cancellation,
                () -> answer(calls.upload(TRANSCRIPTIONS, key, upload, cancellation))))
                .onFailure().transform(failure -> new MistralUnrepeatableException(MistralException.of(failure)))));
    }

    /**
     * Through {@link MistralGuard}, each attempt on the upstream key {@link UpstreamKeys} picks for it (so a retry
     * after a key's 429 goes to another key); a failure the breaker skipped comes out as it was.
     */
    private <T> Uni<T> guarded(Function<UpstreamKey, Uni<T>> attempt) {
        return unwrapped(guard.call(() -> keys.attempt(attempt)));
    }

    private static <T> Uni<T> unwrapped(Uni<T> guarded) {
        return guarded.onFailure(MistralGuard.NotAnOutage.class).transform(Throwable::getCause);
    }

    /** {@code path} relative to {@code /v1}. */
    private Uni<Multi<String>> opened(UpstreamKey key, String path, String endpoint, ObjectNode request,
            Cancellation cancellation) {
        String model = request.path("model").asText();
        return observed(endpoint, request, cancellation, () -> {
            long start = System.nanoTime();
            return streams.open(path, key, bytes(request), cancellation)
                    .invoke(() -> metrics.timeToFirstToken(model, System.nanoTime() - start))
                    .map(stream -> stream.onFailure().invoke(this::countError));
        });
    }

    /** Call through {@link Cancellation#guarded}, so that cancelling the result cancels the attempt. */
    public Uni<MistralAnswer> embeddings(ObjectNode request, Cancellation cancellation) {
        return post("embeddings", "embeddings", request, cancellation);
    }

    /**
     * One attempt, below the guard: ended by {@code cancellation} or after {@code mistral.timeout.read} (for a
     * stream: until its first event), either way by cancelling the request, which releases its connection at once.
     * Times it, counts its failure by reason (once: a cancelled attempt is neither timed nor counted), and traces it
     * as an OpenTelemetry client span with GenAI attributes (model, parameters, token usage; never message content).
     * <p>
     * The timeout is here and not in the guard because the guard's timeout cannot cancel the attempt (see
     * {@link Cancellation}): the attempt then ran on to the HTTP client's read timeout, holding its connection and
     * counting a second failure.
     */
    private <T> Uni<T> observed(String endpoint, ObjectNode request, Cancellation cancellation, Supplier<Uni<T>> call) {
        String model = request.path("model").asText();
        return cancellation.bind(Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            Span span = GenAiSpans.start(tracer, endpoint, request);
            return call.get().ifNoItem().after(readTimeout).failWith(() -> new MistralTimeoutException(
                    "Mistral did not answer within " + readTimeout.toMillis() + " ms", null))
                    .onTermination().invoke((item, failure, cancelled) -> {
                        if (!cancelled) {
                            metrics.upstreamLatency(model, endpoint, failure == null, System.nanoTime() - start);
                        }
                        if (failure != null) {
                            countError(failure);
                        }
                        GenAiSpans.end(span, item, failure, cancelled);
                    });
        }));
    }

    private byte[] bytes(ObjectNode request) {
        try {
            return json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree could not be written", e);
        }
    }

    private void countError(Throwable failure) {
        MistralException kind = MistralException.of(failure);
        if (kind.reason() != null) {
            metrics.error(kind.reason(), kind.statusLabel());
        }
    }

    /** A 2xx answer, relayed as it came: its bytes, checked to be one JSON object, and the fields the gateway reads. */
    private Uni<MistralAnswer> answer(Uni<Buffer> call) {
        return call.onFailure().transform(MistralClient::translate).map(body -> MistralAnswer.read(body, answers));
    }

    /** A 2xx answer's body as a JSON tree (the model list, which the gateway reads whole). */
    private JsonNode jsonObject(String body) {
        JsonNode answer;
        try {
            answer = json.readTree(body);
        } catch (IOException e) {
            throw new MistralProtocolException("Mistral answered with a body that is not valid JSON", e);
        }
        if (answer == null || !answer.isObject()) {
            throw new MistralProtocolException("Mistral answered with a body that is not a JSON object", null);
        }
        return answer;
    }

    /** {@link MistralException#of}, with a debug line: the cause chain of a failed call, for whoever needs it. */
    static MistralException translate(Throwable failure) {
        LOG.debugf("Mistral call failed: %s", failure);
        return MistralException.of(failure);
    }
}
