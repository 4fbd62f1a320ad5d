package dev.mistralgateway.mistral;

import java.io.Closeable;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * Mistral's HTTP API as the gateway uses it. Bodies come back as JSON trees, so fields the gateway does not
 * interpret reach the client unchanged; {@link MistralClient} is the only caller. Request bodies go as the JSON bytes
 * {@link MistralClient} wrote: an {@code ObjectNode} entity would make the REST client look up a writer and parse
 * the method's parameter annotations on every call (measured: 3 % of all memory the gateway allocated per request).
 */
@RegisterRestClient(configKey = "mistral")
@RegisterProvider(MistralErrorMapper.class)
@Path("/v1")
interface MistralRestApi extends Closeable {

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> models(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> chat(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] request);

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> embeddings(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] request);

    /** Any other JSON endpoint of Mistral's API, at {@code /v1/<path>} ({@code path} unescaped: it holds slashes). */
    @POST
    @Path("/{path}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> post(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("path") @Encoded String path, byte[] request);
}
