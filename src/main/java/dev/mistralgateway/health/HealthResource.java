package dev.mistralgateway.health;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code GET /health}, the gateway's own health summary for load balancers and the canary script: the cached health of Mistral, at the top level and under
 * {@code services.mistral} (which the canary script reads); 503 when unhealthy. Never calls Mistral.
 */
@Path("/health")
public class HealthResource {

    /** The body of {@code /health}. */
    public record Body(String status, String provider, Long latencyMs, String model,
            @JsonInclude(JsonInclude.Include.NON_NULL) String error,
            String checkedAt, Services services) {
    }

    public record Services(HealthReport mistral) {
    }

    private final MistralHealth health;

    HealthResource(MistralHealth health) {
        this.health = health;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public RestResponse<Body> health() {
        HealthReport report = health.report();
        Body body = new Body(report.status(), report.provider(), report.latencyMs(), report.model(), report.error(),
                report.checkedAt(), new Services(report));
        return RestResponse.status(report.unhealthy() ? RestResponse.Status.SERVICE_UNAVAILABLE : RestResponse.Status.OK, body);
    }
}
