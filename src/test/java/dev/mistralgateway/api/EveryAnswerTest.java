package dev.mistralgateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.containsString;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** What every answer of the API has, refusals included: a request id, the error shape, words meant for a client. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class EveryAnswerTest {

    @Test
    void publicAnswersCarryARequestIdTooTheClientsWhenSane() {
        given().get("/health").then().header("X-Request-Id", notNullValue());
        given().header("X-Request-Id", "lb-probe-42").get("/health").then().header("X-Request-Id", equalTo("lb-probe-42"));
    }

    @Test
    void refusalsOfTheRouterCarryARequestIdAndTheErrorShape() {
        given().get("/v1/unknown").then().statusCode(404)
                .header("X-Request-Id", notNullValue()).body("error.type", equalTo("not_found_error"));
        given().get("/nowhere").then().statusCode(404)
                .header("X-Request-Id", notNullValue()).body("error.type", equalTo("not_found_error"));
        given().contentType(ContentType.JSON).body("{}").post("/v1/models").then().statusCode(405)
                .header("X-Request-Id", notNullValue())
                .header("Allow", containsString("GET"))
                .body("error.type", equalTo("method_not_allowed"));
        given().delete("/v1/models/codestral-2508").then().statusCode(405)
                .header("X-Request-Id", notNullValue())
                .header("Allow", containsString("GET"));
        given().put("/v1/fim/completions").then().statusCode(405)
                .header("X-Request-Id", notNullValue())
                .header("Allow", equalTo("POST"));
    }

    @Test
    void malformedBodiesAreExplainedWithoutTheParsersInternals() {
        for (String body : List.of("{\"messages\": [", "{\"a\":1}}", "[1,2]", "nul", "{\"a\":tru}", "\"text\"", "{'a':1}")) {
            given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions")
                    .then().statusCode(400)
                    .header("X-Request-Id", notNullValue())
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.message", not(containsString("Source")))
                    .body("error.message", not(containsString("REDACTED")))
                    .body("error.message", not(containsString("Feature")))
                    .body("error.message", not(containsString("jackson")))
                    .body("error.message", startsWith("Request body"));
        }
    }
}
