package dev.mistralgateway.simulator;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.KeyCertOptions;

/**
 * A real HTTP server that speaks Mistral's API ({@code /v1/models}, {@code /v1/chat/completions}, FIM and agents
 * completions plain and SSE, embeddings, moderations, classifications, OCR, audio transcriptions of multipart uploads)
 * with deterministic answers, and lets tests and benchmarks inject faults through {@code /_simulator/*} or
 * {@link #inject(Fault)}. Dev mode, every test and the benchmarks use it instead of Mistral.
 * <p>
 * Why one class of about 450 lines: it is the simulator's dispatcher (which endpoint, which fault, which answer, what
 * to count), one concern read top to bottom; what it dispatches to already lives apart (SimulatedAnswers,
 * SimulatedInference, SimulatedStream, FaultPlan, SimulatedRateLimits). It is a test fixture that production code
 * reaches only through the dev build's {@link DevModeSimulator}.
 */
public final class MistralSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MistralSimulator.class);
    private static final String ADMIN = "/_simulator/";
    private static final String TRANSCRIPTIONS = "/v1/audio/transcriptions";

    /**
     * How to start a simulator; {@link #defaults()} binds a free port on 127.0.0.1 with a random key. It accepts each of
     * {@code apiKeys} (Mistral keys of several workspaces, each with its own rate limits).
     */
    public record Options(String host, int port, List<String> apiKeys, List<String> models, KeyCertOptions tls) {
        public static Options defaults() {
            return new Options("127.0.0.1", 0, List.of("sim-" + UUID.randomUUID()),
                    List.of("mistral-small-2506", "mistral-medium-2508", "mistral-large-2411", "ministral-8b-2410",
                            "codestral-2508", "mistral-embed", "mistral-moderation-2411", "mistral-ocr-2505",
                            "voxtral-mini-2507", "mistral-small-latest"), null);
        }

        /** The first key. */
        public String apiKey() {
            return apiKeys.get(0);
        }

        public Options withPort(int port) {
            return new Options(host, port, apiKeys, models, tls);
        }

        public Options withApiKey(String apiKey) {
            return new Options(host, port, List.of(apiKey), models, tls);
        }

        /** Accepts each of these keys (at least one). */
        public Options withApiKeys(List<String> apiKeys) {
            return new Options(host, port, List.copyOf(apiKeys), models, tls);
        }

        public Options withModels(List<String> models) {
            return new Options(host, port, apiKeys, List.copyOf(models), tls);
        }

        /** Serves HTTPS with this key and certificate, as Mistral (or an egress proxy) does. */
        public Options withTls(KeyCertOptions tls) {
            return new Options(host, port, apiKeys, models, tls);
        }
    }

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final Options options;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();
    private final SimulatedAnswers answers = new SimulatedAnswers(json);
    private final SimulatedInference inference = new SimulatedInference(json);
    private final FaultPlan faults = new FaultPlan();
    /** Per API key: each Mistral workspace has its own limits. */
    private final Map<String, SimulatedRateLimits> rateLimits = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> lastRequests = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> lastHeaders = new ConcurrentHashMap<>();
    private final Set<HttpConnection> apiConnections = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    /** The keys accepted, in order; a request's key is counted by its position ({@code key1}, {@code key2}, ...). */
    private volatile List<String> acceptedKeys;
    private HttpServer server;

    private MistralSimulator(Vertx vertx, boolean ownsVertx, Options options) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.options = options;
        this.acceptedKeys = options.apiKeys();
    }

    /** Starts on its own Vert.x instance (tests, benchmarks, standalone). */
    public static MistralSimulator start(Options options) {
        return new MistralSimulator(Vertx.vertx(), true, options).listen();
    }

    /** Starts on an existing Vert.x instance (dev mode, inside the gateway). */
    public static MistralSimulator start(Vertx vertx, Options options) {
        return new MistralSimulator(vertx, false, options).listen();
    }

    private MistralSimulator listen() {
        HttpServerOptions serverOptions = new HttpServerOptions().setHost(options.host()).setPort(options.port());
        if (options.tls() != null) {
            serverOptions.setSsl(true).setKeyCertOptions(options.tls());
        }
        server = vertx.createHttpServer(serverOptions)
                .requestHandler(this::handle);
        server = server.listen().toCompletionStage().toCompletableFuture().join();
        LOG.debugf("Mistral simulator listening on %s", baseUrl());
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl() {
        return (options.tls() == null ? "http://" : "https://") + options.host() + ":" + port();
    }

    /** The (first) key clients must send as {@code Authorization: Bearer <key>}. */
    public String apiKey() {
        return acceptedKeys.get(0);
    }

    /** Every key accepted, in order. */
    public List<String> apiKeys() {
        return acceptedKeys;
    }

    public void inject(Fault fault) {
        faults.add(fault);
    }

    /** Forgets faults, counters and rate limits spent, and restores the keys it started with. */
    public void reset() {
        faults.clear();
        counters.clear();
        lastRequests.clear();
        lastHeaders.clear();
        rateLimits.clear();
        acceptedKeys = options.apiKeys();
    }

    /**
     * How many times {@code name} happened: an endpoint (chat, stream, models, embeddings, fim, fim_stream, agents, ...)
     * or an outcome.
     */
    public long count(String name) {
        AtomicLong counter = counters.get(name);
        return counter == null ? 0 : counter.get();
    }

    @Override
    public void close() {
        server.close().toCompletionStage().toCompletableFuture().join();
        if (ownsVertx) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private void handle(HttpServerRequest request) {
        if (TRANSCRIPTIONS.equals(request.path()) && request.method() == HttpMethod.POST) {
            transcription(request);
            return;
        }
        request.body().onSuccess(body -> {
            try {
                if (request.path().startsWith(ADMIN)) {
                    admin(request, body);
                } else {
                    api(request, body);
                }
            } catch (RuntimeException e) {
                LOG.warn("Simulator failed to handle " + request.path(), e);
                send(request.response(), 500, answers.error(500, "Simulator error: " + e.getMessage()));
            }
        });
    }

    private void api(HttpServerRequest request, Buffer body) {
        String endpoint = endpoint(request);
        if (endpoint == null) {
            send(request.response(), 404, json.createObjectNode().put("detail", "Not Found"));
            return;
        }
        JsonNode payload = null;
        if (request.method() == HttpMethod.POST) {
            try {
                payload = json.readTree(body.getBytes());
            } catch (Exception e) {
                send(request.response(), 400, answers.error(400, "Invalid JSON body"));
                return;
            }
        }
        boolean stream = payload != null && payload.path("stream").asBoolean(false);
        increment(!stream ? endpoint : endpoint.equals("chat") ? "stream" : endpoint + "_stream");
        watch(request);
        call(request, endpoint, payload, stream, body.toString());
    }

    /** Counts the connection, and the call if its client gives up on it before the answer is complete. */
    private void watch(HttpServerRequest request) {
        if (apiConnections.add(request.connection())) {
            // Connections that carried API calls (admin calls are not Mistral's): what pooling keeps low.
            increment("connections");
        }
        // A client (the gateway) that gives up on a call closes its connection before the answer is complete.
        request.response().closeHandler(closed -> {
            if (!request.response().ended()) {
                increment("aborted");
            }
        });
    }

    /**
     * {@code POST /v1/audio/transcriptions}, a multipart form read as it arrives: the audio's bytes are counted as
     * they come ({@code transcription_bytes}, so a test sees an upload streamed before its client finished sending
     * it), {@code transcriptions_started} when a request begins and {@code transcriptions} when its form is whole.
     */
    private void transcription(HttpServerRequest request) {
        increment("transcriptions_started");
        watch(request);
        request.setExpectMultipart(true);
        ObjectNode form = json.createObjectNode();
        AtomicLong fileBytes = new AtomicLong();
        request.uploadHandler(upload -> {
            if (upload.name().equals("file")) {
                form.put("filename", upload.filename());
                form.put("file_part", form.path("file_part").asInt(0) + 1);
            }
            upload.handler(data -> {
                fileBytes.addAndGet(data.length());
                add("transcription_bytes", data.length());
            });
        });
        request.exceptionHandler(failure -> increment("transcriptions_broken"));
        request.endHandler(ended -> {
            increment("transcriptions");
            request.formAttributes().forEach(field -> {
                if (field.getKey().startsWith("timestamp_granularities")) {
                    form.withArray("timestamp_granularities").add(field.getValue());
                } else {
                    form.put(field.getKey(), field.getValue());
                }
            });
            form.put("file_bytes", fileBytes.get());
            try {
                call(request, "transcriptions", form, false, form.toString());
            } catch (RuntimeException e) {
                LOG.warn("Simulator failed to handle a transcription", e);
                send(request.response(), 500, answers.error(500, "Simulator error: " + e.getMessage()));
            }
        });
    }

    /** One API call whose request was read: its faults, then its answer. */
    private void call(HttpServerRequest request, String endpoint, JsonNode payload, boolean stream, String body) {
        if (payload != null) {
            lastRequests.put(endpoint, payload);
        }
        lastHeaders.put(endpoint, headersOf(request));
        String key = keyOf(request);
        int position = key == null ? -1 : acceptedKeys.indexOf(key);
        if (position >= 0) {
            increment("key" + (position + 1));
            // Per endpoint too: a test of chats must not count the health probe's model-list calls on the same key.
            increment(endpoint + "_key" + (position + 1));
        }
        Fault fault = faults.take(endpoint, stream, body, key);
        if (fault != null) {
            increment("faults");
        }
        JsonNode request0 = payload;
        Runnable answer = () -> answer(request, endpoint, request0, stream, fault);
        long latency = fault == null ? 0 : fault.latency();
        if (latency > 0) {
            vertx.setTimer(latency, id -> answer.run());
        } else {
            answer.run();
        }
    }

    private void answer(HttpServerRequest request, String endpoint, JsonNode payload, boolean stream, Fault fault) {
        HttpServerResponse response = request.response();
        if (fault != null) {
            switch (fault.type()) {
                case STATUS -> {
                    if (fault.retryAfterSeconds() != null) {
                        response.putHeader("Retry-After", String.valueOf(fault.retryAfterSeconds()));
                    }
                    String message = fault.message() != null ? fault.message() : SimulatedAnswers.defaultMessage(fault.status());
                    send(response, fault.status(), answers.error(fault.status(), message));
                    return;
                }
                case HANG -> {
                    request.connection().closeHandler(closed -> increment("hangs_abandoned"));
                    return;
                }
                case RESET -> {
                    request.connection().close();
                    return;
                }
                case GARBAGE -> {
                    response.putHeader("Content-Type", "application/json")
                            .setStatusCode(200)
                            .end("{\"id\": \"cmpl-garbage\", \"choices\": [ <html>upstream proxy error");
                    return;
                }
                default -> {
                    // latency was already waited; stream faults apply below
                }
            }
        }
        String key = keyOf(request);
        if (key == null || !acceptedKeys.contains(key)) {
            increment("unauthorized");
            send(response, 401, answers.error(401, "Unauthorized"));
            return;
        }
        switch (endpoint) {
            case "models" -> {
                rateLimits(request).putHeaders(response);
                send(response, 200, inference.models(options.models()));
            }
            case "chat", "fim", "agents" -> chat(request, endpoint, payload, stream, fault);
            case "transcriptions" -> transcribe(request, payload);
            default -> inference(request, endpoint, payload);
        }
    }

    private void chat(HttpServerRequest request, String endpoint, JsonNode payload, boolean stream, Fault fault) {
        HttpServerResponse response = request.response();
        if (endpoint.equals("agents")) {
            // An agent's model is set at Mistral; the simulator's agents all use the first model it knows.
            payload = ((ObjectNode) payload).put("model", options.models().get(0));
        }
        String model = payload.path("model").asText("");
        if (!options.models().contains(model)) {
            send(response, 400, answers.error(400, "Invalid model: " + model));
            return;
        }
        String required = endpoint.equals("fim") ? "prompt" : "messages";
        if (payload.path(required).isMissingNode() || payload.path(required).isEmpty() && !payload.path(required).isTextual()
                || endpoint.equals("agents") && !payload.path("agent_id").isTextual()) {
            send(response, 422, answers.error(422, required + ": Field required"));
            return;
        }
        SimulatedAnswers.Answer answer = answers.answer(payload);
        SimulatedRateLimits limits = rateLimits(request);
        limits.spend(answer.promptTokens() + answer.completionTokens());
        limits.putHeaders(response);
        if (!stream) {
            send(response, 200, answers.completion(answer));
            return;
        }
        new SimulatedStream(vertx, request, answers.chunks(answer), fault, this::increment).start();
    }

    /** Embeddings, moderation, classification and OCR: one JSON answer each. */
    private void inference(HttpServerRequest request, String endpoint, JsonNode payload) {
        HttpServerResponse response = request.response();
        String model = payload.path("model").asText("");
        if (!options.models().contains(model)) {
            send(response, 400, answers.error(400, "Invalid model: " + model));
            return;
        }
        rateLimits(request).putHeaders(response);
        send(response, 200, switch (endpoint) {
            case "embeddings" -> answers.embeddings(payload);
            case "moderations", "chat_moderations" -> inference.moderation(payload, endpoint.startsWith("chat"));
            case "classifications", "chat_classifications" -> inference.classification(payload, endpoint.startsWith("chat"));
            default -> inference.ocr(payload);
        });
    }

    /** Mistral's checks of a transcription form (its 400 and 422), then its answer. */
    private void transcribe(HttpServerRequest request, JsonNode form) {
        HttpServerResponse response = request.response();
        String model = form.path("model").asText("");
        if (model.isEmpty() || form.path("file_part").asInt(0) == 0 && !form.hasNonNull("file_url")
                && !form.hasNonNull("file_id")) {
            send(response, 422, answers.error(422, model.isEmpty() ? "model: Field required"
                    : "file: one of file, file_url or file_id is required"));
            return;
        }
        if (!options.models().contains(model)) {
            send(response, 400, answers.error(400, "Invalid model: " + model));
            return;
        }
        rateLimits(request).putHeaders(response);
        send(response, 200, inference.transcription(form));
    }

    private void admin(HttpServerRequest request, Buffer body) {
        String action = request.method() + " " + request.path().substring(ADMIN.length());
        HttpServerResponse response = request.response();
        // The dev build's operator page (another port, so another origin) injects faults from the browser.
        response.putHeader("Access-Control-Allow-Origin", "*");
        switch (action) {
            case "POST faults" -> {
                try {
                    faults.add(json.readValue(body.getBytes(), Fault.class));
                } catch (Exception e) {
                    send(response, 400, json.createObjectNode().put("error", "Invalid fault: " + e.getMessage()));
                    return;
                }
                send(response, 201, json.createObjectNode().put("pending", faults.size()));
            }
            case "OPTIONS faults" -> response.setStatusCode(204)
                    .putHeader("Access-Control-Allow-Methods", "POST, DELETE").end();
            case "DELETE faults" -> {
                faults.clear();
                response.setStatusCode(204).end();
            }
            case "POST reset" -> {
                reset();
                response.setStatusCode(204).end();
            }
            case "PUT api-key" -> {
                acceptedKeys = List.of(body.toString().strip().split("\\s*,\\s*"));
                response.setStatusCode(204).end();
            }
            case "GET stats" -> {
                ObjectNode stats = json.createObjectNode();
                ObjectNode countersNode = stats.putObject("counters");
                counters.forEach((name, value) -> countersNode.put(name, value.get()));
                stats.put("pendingFaults", faults.size());
                ObjectNode last = stats.putObject("lastRequests");
                lastRequests.forEach(last::set);
                ObjectNode headers = stats.putObject("lastHeaders");
                lastHeaders.forEach(headers::set);
                send(response, 200, stats);
            }
            default -> send(response, 404, json.createObjectNode().put("error",
                    "Unknown simulator admin action " + action + "; see src/docs/simulator.md"));
        }
    }

    /** What a client sent, lower-cased names; the Authorization value only as "expected" or "other". */
    private JsonNode headersOf(HttpServerRequest request) {
        ObjectNode headers = json.createObjectNode();
        request.headers().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            String value = name.equals("authorization")
                    ? (header.getValue().equals("Bearer " + apiKey()) ? "expected" : "other")
                    : header.getValue();
            headers.put(name, value);
        });
        return headers;
    }

    /** The key a request carries ({@code Authorization: Bearer <key>}), or null. */
    private static String keyOf(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    }

    private SimulatedRateLimits rateLimits(HttpServerRequest request) {
        String key = keyOf(request);
        return rateLimits.computeIfAbsent(key == null ? "" : key, k -> new SimulatedRateLimits());
    }

    private static String endpoint(HttpServerRequest request) {
        return switch (request.method() + " " + request.path()) {
            case "GET /v1/models" -> "models";
            case "POST /v1/chat/completions" -> "chat";
            case "POST /v1/embeddings" -> "embeddings";
            case "POST /v1/fim/completions" -> "fim";
            case "POST /v1/agents/completions" -> "agents";
            case "POST /v1/moderations" -> "moderations";
            case "POST /v1/chat/moderations" -> "chat_moderations";
            case "POST /v1/classifications" -> "classifications";
            case "POST /v1/chat/classifications" -> "chat_classifications";
            case "POST /v1/ocr" -> "ocr";
            case "POST " + TRANSCRIPTIONS -> "transcriptions";
            default -> null;
        };
    }

    private void increment(String name) {
        add(name, 1);
    }

    private void add(String name, long amount) {
        counters.computeIfAbsent(name, n -> new AtomicLong()).addAndGet(amount);
    }

    private void send(HttpServerResponse response, int status, JsonNode body) {
        try {
            response.setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(json.writeValueAsBytes(body)));
        } catch (Exception e) {
            response.setStatusCode(500).end();
        }
    }
}
