package dev.mistralgateway.api;

import java.io.IOException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.mistralgateway.mistral.MistralException;

/** The JAX-RS resources' failures as the gateway's JSON error body, decided by {@link ErrorResponses}. */
public class ErrorMappers {

    private final ErrorResponses errors;

    ErrorMappers(ErrorResponses errors) {
        this.errors = errors;
    }

    @ServerExceptionMapper({ ApiException.class, MistralException.class, FaultToleranceException.class,
            JsonProcessingException.class, IOException.class })
    public Response failure(Exception e) {
        return errors.response(e);
    }

    /** JAX-RS' own refusals (unknown path, wrong method, unsupported media type, body too large). */
    @ServerExceptionMapper
    public Response webError(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException malformed) {
            return failure(malformed);
        }
        int status = e.getResponse().getStatus();
        String type = switch (status) {
            case 404 -> "not_found_error";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "invalid_request_error";
        };
        String message = status == 415 ? JsonPostRoutes.UNSUPPORTED_MEDIA_TYPE : e.getResponse().getStatusInfo().getReasonPhrase();
        Response response = errors.response(new ApiException(status, type, message, null));
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (status == 405) {
            // JAX-RS names the methods a path takes; the POST endpoints' 405 is answered before their body is read.
            return Response.fromResponse(response).header(HttpHeaders.ALLOW, allow != null ? allow : "GET").build();
        }
        return response;
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        return errors.response(e);
    }
}
