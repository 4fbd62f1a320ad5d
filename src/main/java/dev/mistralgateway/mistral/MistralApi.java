package dev.mistralgateway.mistral;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.quarkus.rest.client.reactive.Url;
import io.smallrye.mutiny.Uni;

/**
 * Mistral's HTTP API as a MicroProfile REST client, configured by {@code quarkus.rest-client.mistral.*}
 * (application.properties: URL, TLS registry configuration, timeouts, pool). Which calls go through it and which stay
 * on the Vert.x path of {@link MistralClient}, and why, is in src/docs/decisions.md.
 * <p>
 * The base URL is given with each call ({@link Url}): it is {@link MistralEndpoint}'s, which in dev mode is the
 * built-in simulator's, known only at runtime. The REST client's own logging stays off
 * ({@code quarkus.rest-client.logging.scope} unset): it would print the {@code Authorization} header.
 */
@RegisterRestClient(configKey = "mistral")
@Path("/v1")
interface MistralApi {

    /**
     * The model catalogue, {@code GET /v1/models}: a JSON object whose {@code data} lists the model cards; with its
     * headers, which carry the key's rate limits. The key is a parameter: each call names the upstream key it uses.
     */
    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<String>> models(@Url String baseUrl, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    /** Every non-2xx answer as Mistral's error: status, Mistral's message, Retry-After. */
    @ClientExceptionMapper
    static MistralApiException error(Response response) {
        return MistralApiException.of(response.getStatus(), response.readEntity(String.class),
                response.getHeaderString(HttpHeaders.RETRY_AFTER));
    }
}
