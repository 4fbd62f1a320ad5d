package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.metrics.GatewayMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request from an HTTP filter, before any resource runs, with the same JSON error body, headers and
 * error count as the exception mappers give.
 */
@ApplicationScoped
public class ErrorResponses {

    private final ObjectMapper json;
    private final GatewayMetrics metrics;

    ErrorResponses(ObjectMapper json, GatewayMetrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    public void refuse(RoutingContext context, ApiException refusal) {
        metrics.error(refusal.reason(), String.valueOf(refusal.status()));
        HttpServerResponse response = context.response()
                .setStatusCode(refusal.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        if (refusal.retryAfter() != null) {
            response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ErrorMappers.retryAfterSeconds(refusal.retryAfter())));
        }
        if (refusal.status() == 401) {
            response.putHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (refusal.status() == 413) {
            // The body was not read: the connection cannot carry another request.
            response.putHeader("Connection", "close");
        }
        try {
            response.end(Buffer.buffer(json.writeValueAsBytes(ErrorBody.of(refusal.type(), refusal.getMessage()))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error body could not be written as JSON", e);
        }
    }
}
