package dev.mistralgateway.models;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the models this gateway lets clients use, as Mistral's model
 * cards ({@link ModelCatalog}); no upstream call per request.
 */
@Path("/v1/models")
public class ModelsResource {

    private final ModelCatalog catalog;

    ModelsResource(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listModels", summary = "The allowed models, as Mistral's model cards")
    @APIResponse(responseCode = "200", description = "The model list",
            content = @Content(schema = @Schema(ref = "ModelList")))
    public ObjectNode list() {
        return catalog.list();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "retrieveModel", summary = "One allowed model's card")
    @APIResponse(responseCode = "200", description = "The model card",
            content = @Content(schema = @Schema(ref = "ModelCard")))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public ObjectNode retrieve(@PathParam("id") String id) {
        return catalog.card(id).orElseThrow(() -> ApiException.notFound(
                "Model '" + ApiException.printable(id) + "' is not served by this gateway; GET /v1/models lists those it serves"));
    }
}
