package dev.mistralgateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.Management;
import dev.mistralgateway.testing.RouterRoutes;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The OpenAPI document at {@code /q/openapi} describes every route the running application serves (enumerated from
 * the application, not listed by hand) and every path of the route table, with the bearer scheme and the error shape:
 * a route added without its description fails here.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class OpenApiDocumentTest {

    private static JsonPath document() {
        return Management.given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void describesEveryRouteTheApplicationServes() {
        Map<String, Object> paths = document().getMap("paths");
        Set<String> missing = new TreeSet<>();
        Set<String> served = new TreeSet<>(RouterRoutes.paths());
        RouteTable.API.forEach(route -> served.add(route.path()));
        RouteTable.TEMPLATES.forEach(route -> served.add(route.path()));
        for (String path : served) {
            // "/" is where the JAX-RS resources are mounted; nothing is served there (404).
            if (!path.equals("/") && !paths.containsKey(path)) {
                missing.add(path);
            }
        }
        assertTrue(served.size() >= 14, "routes enumerated from the application: " + served);
        assertEquals(Set.of(), missing, "routes the OpenAPI document does not describe; document: " + paths.keySet());
    }

    @Test
    void describesTheBearerSchemeAndTheErrorShape() {
        JsonPath document = document();
        assertEquals("http", document.getString("components.securitySchemes.bearer.type"));
        assertEquals("bearer", document.getString("components.securitySchemes.bearer.scheme"));
        assertEquals(Set.of("type", "message"),
                Set.copyOf(document.getMap("components.schemas.Error.properties.error.properties").keySet()));
        assertEquals("#/components/schemas/ModelList",
                document.getString("paths.'/v1/models'.get.responses.'200'.content.'application/json'.schema.$ref"));
        assertEquals("#/components/responses/RateLimited",
                document.getString("paths.'/v1/fim/completions'.post.responses.'429'.$ref"));
    }
}
