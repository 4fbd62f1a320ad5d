package dev.mistralgateway.chat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.mistral.MistralException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;

/**
 * Relays Mistral's server-sent events to the client. The response head waits for the first upstream event, so a
 * failure before it (401, 429, 5xx, timeout) still gets its proper HTTP status; after it, a failure becomes a final
 * {@code data: {"error":...}} event. Cancelling the client side cancels the upstream call.
 */
@ApplicationScoped
public class SseRelay {

    private static final Logger LOG = Logger.getLogger(SseRelay.class);

    private final ObjectMapper json;

    SseRelay(ObjectMapper json) {
        this.json = json;
    }

    /** Completes with the SSE body once Mistral sent its first event; fails if Mistral failed before that. */
    Uni<Multi<Buffer>> relay(Multi<String> upstream) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean opened = new AtomicBoolean();
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            UnicastProcessor<String> events = UnicastProcessor.create();
            Multi<Buffer> body = events
                    .onCancellation().invoke(() -> cancel(subscription))
                    .map(SseRelay::frame)
                    .onFailure().recoverWithItem(this::errorEvent);
            subscription.set(upstream.subscribe().with(
                    item -> {
                        events.onNext(item);
                        if (opened.compareAndSet(false, true)) {
                            emitter.complete(body);
                        }
                    },
                    failure -> {
                        if (opened.compareAndSet(false, true)) {
                            emitter.fail(failure);
                        } else {
                            events.onError(failure);
                        }
                    },
                    () -> {
                        events.onComplete();
                        if (opened.compareAndSet(false, true)) {
                            emitter.complete(body);
                        }
                    }));
            emitter.onTermination(() -> {
                if (!opened.get()) {
                    cancel(subscription);
                }
            });
        });
    }

    /** One SSE event; a multi-line payload becomes several {@code data:} lines, as the SSE spec requires. */
    static Buffer frame(String data) {
        return Buffer.buffer("data: " + data.replace("\n", "\ndata: ") + "\n\n");
    }

    private Buffer errorEvent(Throwable failure) {
        ApiException error = failure instanceof MistralException mistral
                ? UpstreamErrors.toApi(mistral)
                : new ApiException(502, "upstream_error", "The stream from Mistral failed", null);
        LOG.warnf("Mistral call failed mid-stream: %s -> error event %s", failure.getMessage(), error.type());
        try {
            return frame(json.writeValueAsString(ErrorBody.of(error.type(), error.getMessage())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error body could not be written as JSON", e);
        }
    }

    private static void cancel(AtomicReference<Cancellable> subscription) {
        Cancellable cancellable = subscription.get();
        if (cancellable != null) {
            cancellable.cancel();
        }
    }
}
