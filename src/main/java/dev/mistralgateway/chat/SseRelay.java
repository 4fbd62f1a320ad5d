package dev.mistralgateway.chat;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.UpstreamErrors;
import dev.mistralgateway.api.ErrorBody;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.metrics.GatewayMetrics;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * Relays Mistral's server-sent events to the client as they arrive. A stream never ends silently short: if Mistral
 * fails midway, or ends without {@code [DONE]}, the client gets a final {@code data: {"error":...}} event instead
 * of a clean end, and a truncated stream is counted.
 */
@Singleton
public class SseRelay {

    static final String DONE = "[DONE]";
    private static final Logger LOG = Logger.getLogger(SseRelay.class);

    private final ObjectMapper json;
    private final UpstreamErrors upstreamErrors;
    private final GatewayMetrics metrics;
    private final SpendMeter spend;

    SseRelay(ObjectMapper json, UpstreamErrors upstreamErrors, GatewayMetrics metrics, SpendMeter spend) {
        this.json = json;
        this.upstreamErrors = upstreamErrors;
        this.metrics = metrics;
        this.spend = spend;
    }

    /** The SSE body for a stream that has started (see {@code MistralClient.openStream}). */
    Multi<Buffer> relay(Multi<String> events) {
        AtomicBoolean done = new AtomicBoolean();
        Multi<Buffer> framed = events
                .invoke(data -> {
                    if (DONE.equals(data)) {
                        done.set(true);
                    } else if (data.contains("\"usage\"")) {
                        recordUsage(data);
                    }
                })
                .map(SseRelay::frame);
        return framed
                .onCompletion().switchTo(() -> done.get()
                        ? Multi.createFrom().empty()
                        : Multi.createFrom().item(this::truncatedEvent))
                .onFailure().recoverWithItem(this::errorEvent);
    }

    /** One SSE event; a multi-line payload becomes several {@code data:} lines, as the SSE spec requires. */
    static Buffer frame(String data) {
        return Buffer.buffer("data: " + data.replace("\n", "\ndata: ") + "\n\n");
    }

    /** Mistral puts {@code usage} in the final chunk: the only one the relay parses. */
    private void recordUsage(String data) {
        try {
            JsonNode chunk = json.readTree(data);
            spend.record(chunk.path("model").asText(), chunk.get("usage"));
        } catch (JsonProcessingException e) {
            LOG.debug("A stream chunk with usage was not JSON; its usage is not counted");
        }
    }

    private Buffer truncatedEvent() {
        metrics.truncatedStream();
        LOG.warn("Mistral ended a stream without [DONE]; the client gets an error event");
        return event(ErrorBody.of("upstream_truncated_stream", "Mistral ended the stream before it was complete"));
    }

    private Buffer errorEvent(Throwable failure) {
        metrics.truncatedStream();
        ApiException error = upstreamErrors.toApi(failure);
        if (error == null) {
            LOG.error("The relay of a Mistral stream failed", failure);
            error = new ApiException(502, "upstream_error", "The stream from Mistral failed", null);
        }
        LOG.warnf("Mistral call failed mid-stream: %s -> error event %s", failure.getMessage(), error.type());
        return event(ErrorBody.of(error.type(), error.getMessage()));
    }

    /** The last event of a stream the gateway ends because it is shutting down. */
    Buffer shutdownEvent() {
        ApiException error = ShutdownDrain.shuttingDown();
        return event(ErrorBody.of(error.type(), error.getMessage()));
    }

    private Buffer event(ErrorBody body) {
        try {
            return frame(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error body could not be written as JSON", e);
        }
    }
}
