package dev.mistralgateway.metrics;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.mistralgateway.config.GatewayConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * The resource edge: sees every API request from its first byte to its end (streams included, and requests the
 * gateway refuses), gives it a request id ({@code X-Request-Id}, the client's if it sent a sane one), counts it in
 * {@code mistral_requests_total} and writes the access log line: ids, model, status, latency, tokens; never
 * message content or keys.
 */
@ApplicationScoped
public class RequestObserver {

    /** Before everything else, so even a body refused for its size is counted. */
    public static final int ORDER = 100;
    static final String REQUEST_ID = "X-Request-Id";
    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Logger ACCESS = Logger.getLogger("dev.mistralgateway.access");

    private final GatewayMetrics metrics;
    private final boolean accessLog;

    RequestObserver(GatewayMetrics metrics, GatewayConfig config) {
        this.metrics = metrics;
        this.accessLog = config.accessLog().enabled();
    }

    void install(@Observes Filters filters) {
        filters.register(this::observe, ORDER);
    }

    private void observe(RoutingContext context) {
        String endpoint = endpointOf(context.request().path());
        if (endpoint == null) {
            context.next();
            return;
        }
        String clientId = context.request().getHeader(REQUEST_ID);
        RequestRecord record = new RequestRecord(
                clientId != null && SANE_ID.matcher(clientId).matches() ? clientId : UUID.randomUUID().toString(), endpoint);
        record.attach();
        context.response().putHeader(REQUEST_ID, record.requestId);
        context.addEndHandler(ended -> finished(record, context.response().getStatusCode(), ended.succeeded()));
        context.next();
    }

    private void finished(RequestRecord record, int status, boolean completed) {
        metrics.request(record.endpoint, record.key(), record.model(), record.stream(), status);
        if (accessLog) {
            long latencyMs = (System.nanoTime() - record.startNanos) / 1_000_000;
            MDC.put("requestId", record.requestId);
            try {
                // Built by hand: printf-style formatting cost 5 % of all memory allocated per request (measured).
                StringBuilder line = new StringBuilder(160).append(record.endpoint)
                        .append(" key=").append(record.key())
                        .append(" model=").append(metrics.modelLabel(record.model()))
                        .append(" stream=").append(record.stream())
                        .append(" status=").append(status)
                        .append(" latency_ms=").append(latencyMs)
                        .append(" prompt_tokens=").append(record.promptTokens())
                        .append(" completion_tokens=").append(record.completionTokens());
                if (!completed) {
                    line.append(" client_gone=true");
                }
                ACCESS.info(line);
            } finally {
                MDC.remove("requestId");
            }
        }
    }

    /** The API endpoints the gateway accounts for; health, metrics and the like are not. */
    public static String endpointOf(String path) {
        return switch (path) {
            case "/api/chat", "/v1/chat/completions" -> "chat";
            case "/v1/embeddings" -> "embeddings";
            default -> null;
        };
    }
}
