package dev.mistralgateway.api;

import java.io.IOException;
import java.util.UUID;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.metrics.ErrorReason;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.MistralException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Turns every failure into the gateway's JSON error: the one place that decides status, type and message, counts
 * the failure in {@code mistral_errors_total} where it starts in the gateway, and logs what needs a look. Used by
 * the request chain and the routes in front of the resources (Vert.x), and by {@link ErrorMappers} for the resources
 * (JAX-RS). No stack trace ever leaves the
 * process.
 */
@Singleton
public class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);
    /** The largest body of a refused request that is still read (and dropped) to keep its connection. */
    static final long DRAINED_BODY_BYTES = 64 * 1024;

    private final ObjectMapper json;
    private final GatewayMetrics metrics;
    private final UpstreamErrors upstreamErrors;

    ErrorResponses(ObjectMapper json, GatewayMetrics metrics, UpstreamErrors upstreamErrors) {
        this.json = json;
        this.metrics = metrics;
        this.upstreamErrors = upstreamErrors;
    }

    /** Refuses a request the gateway will not serve (bad input, no key, over a limit). */
    public void refuse(RoutingContext context, ApiException refusal) {
        write(context, toApi(refusal));
    }

    /** Answers a request that failed anywhere (refused, Mistral failed, or a bug) with its JSON error. */
    public void fail(RoutingContext context, Throwable failure) {
        write(context, toApi(failure));
    }

    /**
     * The client's view of a failure, counted where it starts in the gateway: its own refusals, the open circuit
     * and the guard's timeout. Mistral's own failures were counted per attempt, where they happened.
     */
    ApiException toApi(Throwable failure) {
        if (failure instanceof ApiException refusal) {
            if (refusal.status() < 500) {
                metrics.error(refusal.reason(), String.valueOf(refusal.status()));
            }
            return refusal;
        }
        ApiException api = failure instanceof MistralException || failure instanceof FaultToleranceException
                ? upstreamErrors.toApi(failure)
                : null;
        if (api != null) {
            // Mistral's own failures were counted per attempt; fault tolerance's refusals start here.
            ErrorReason reason = failure instanceof FaultToleranceException ? MistralException.of(failure).reason() : null;
            if (reason != null) {
                metrics.error(reason, String.valueOf(api.status()));
            }
            if (api.status() >= 500) {
                LOG.warnf("Mistral call failed: %s -> HTTP %d %s", failure.getMessage(), api.status(), api.type());
            }
            return api;
        }
        if (failure instanceof JsonProcessingException malformed) {
            return toApi(malformedJson(malformed));
        }
        if (failure instanceof IOException) {
            // A body that broke off or could not be decoded is the client's problem, not ours.
            return toApi(ApiException.invalid("Request body could not be read: " + failure.getClass().getSimpleName()));
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(failure, "Unexpected error %s", id);
        return new ApiException(500, "internal_error", "Internal error; reference " + id, null);
    }

    /**
     * Malformed JSON, invalid UTF-8, nesting too deep: say where the body broke and what was found there, in the
     * parser's first words only; the rest of its message (source descriptions, feature names) is not for clients.
     */
    static ApiException malformedJson(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String reason;
        if (e instanceof JsonEOFException) {
            reason = "the body ends before the JSON is complete";
        } else if (e instanceof StreamConstraintsException) {
            reason = "the JSON is nested too deeply or has a value too long";
        } else {
            String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            int end = original.length();
            for (String stop : new String[] { ": ", " (", "\n", "\r" }) {
                int found = original.indexOf(stop);
                end = found >= 0 ? Math.min(end, found) : end;
            }
            reason = ApiException.printable(original.substring(0, end).strip());
            reason = reason.isEmpty() ? "unexpected content" : reason;
        }
        return ApiException.invalid("Request body is not valid JSON" + where + ": " + reason);
    }

    /**
     * The JAX-RS response of a failure (see {@link ErrorMappers}): the status, headers and body {@link #fail} writes
     * on a Vert.x route, and the request's record says why it failed.
     */
    Response response(Throwable failure) {
        ApiException error = toApi(failure);
        RequestRecord.current().error(error.type());
        Response.ResponseBuilder response = Response.status(error.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(error));
        if (error.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(RetryAfter.seconds(error.retryAfter())));
        }
        if (error.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.build();
    }

    /** The error body of {@code error}, as bytes. */
    Buffer body(ApiException error) {
        try {
            return Buffer.buffer(json.writeValueAsBytes(ErrorBody.of(error.type(), error.getMessage())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error body could not be written as JSON", e);
        }
    }

    /**
     * Whether the request is refused with a body still on its way that is worth more than draining: chunked (no end
     * announced) or declared over {@value #DRAINED_BODY_BYTES} bytes. A smaller declared body is read and dropped, so
     * that a client with a wrong key keeps its connection and surely gets its answer.
     */
    private static boolean bodyLeftUnread(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (request.isEnded()) {
            return false;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.headers().contains(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING)
                || length != null && BodySizeLimit.declaredLength(length) > DRAINED_BODY_BYTES;
    }

    private void write(RoutingContext context, ApiException error) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.closed()) {
            return;
        }
        RequestRecord.current().error(error.type());
        if (response.headWritten()) {
            // A stream already started: the status is sent, so the error can only close it.
            response.end();
            return;
        }
        response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        if (error.retryAfter() != null) {
            response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RetryAfter.seconds(error.retryAfter())));
        }
        if (error.status() == 401) {
            response.putHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (error.closesConnection() || bodyLeftUnread(context)) {
            // The body was not read, or its framing is in doubt: the connection cannot carry another request, and
            // nothing more is read from it (a refused client costs no more than its headers).
            ClosingConnections.mark(context.request());
            response.putHeader("Connection", "close");
            response.end(body(error)).onComplete(ended -> context.request().connection().close());
            return;
        }
        response.end(body(error));
    }
}
