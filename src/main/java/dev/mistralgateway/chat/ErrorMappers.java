package dev.mistralgateway.chat;

import java.io.IOException;
import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.mistralgateway.metrics.ErrorReason;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.mistral.MistralException;

/** Renders every failure as the gateway's JSON error body; no stack trace ever leaves the process. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** A refusal of the gateway's own (bad input, budget); upstream failures are counted where they happen. */
    @ServerExceptionMapper
    public Response apiError(ApiException e) {
        metrics.error(e.reason(), String.valueOf(e.status()));
        return toResponse(e);
    }

    private final UpstreamErrors upstreamErrors;
    private final GatewayMetrics metrics;

    ErrorMappers(UpstreamErrors upstreamErrors, GatewayMetrics metrics) {
        this.upstreamErrors = upstreamErrors;
        this.metrics = metrics;
    }

    @ServerExceptionMapper({ MistralException.class, FaultToleranceException.class })
    public Response upstreamError(Exception e) {
        ApiException api = upstreamErrors.toApi(e);
        if (api == null) {
            return unexpected(e);
        }
        if (e instanceof FaultToleranceException) {
            // Circuit open and the guard's timeout start in the gateway; Mistral's own failures were counted per call.
            metrics.error(ErrorReason.of(e), String.valueOf(api.status()));
        }
        if (api.status() >= 500) {
            LOG.warnf("Mistral call failed: %s -> HTTP %d %s", e.getMessage(), api.status(), api.type());
        }
        return toResponse(api);
    }

    /** JAX-RS' own refusals (unknown path, wrong method, unsupported media type, body too large). */
    @ServerExceptionMapper
    public Response webError(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException malformed) {
            return malformedJson(malformed);
        }
        int status = e.getResponse().getStatus();
        String type = switch (status) {
            case 404 -> "not_found_error";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "invalid_request_error";
        };
        String message = status == 415
                ? "Send the body as JSON with 'Content-Type: application/json'"
                : e.getResponse().getStatusInfo().getReasonPhrase();
        ApiException refusal = new ApiException(status, type, message, null);
        return status >= 500 ? toResponse(refusal) : apiError(refusal);
    }

    /** Malformed JSON, invalid UTF-8, nesting too deep: say where the body broke, without echoing it at length. */
    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String reason = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        int source = reason.indexOf(" (for ");
        reason = source > 0 && reason.contains("[Source") ? reason.substring(0, source) : reason;
        if (reason.length() > 200) {
            reason = reason.substring(0, 200) + "…";
        }
        return apiError(ApiException.invalid("Request body is not valid JSON" + where + ": " + reason));
    }

    /** A body that broke off or could not be decoded is the client's problem, not ours. */
    @ServerExceptionMapper
    public Response unreadable(IOException e) {
        return apiError(ApiException.invalid("Request body could not be read: " + e.getClass().getSimpleName()));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s", id);
        return toResponse(new ApiException(500, "internal_error", "Internal error; reference " + id, null));
    }

    static Response toResponse(ApiException e) {
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(e.type(), e.getMessage()));
        if (e.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds(e.retryAfter()));
        }
        return response.build();
    }

    /** Whole seconds, rounded up, at least 1: what Retry-After can carry. */
    static long retryAfterSeconds(java.time.Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
