package dev.mistralgateway.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ModelCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void servesBuiltInCardsOfEveryAllowedModelUntilMistralsListArrives() {
        ModelCatalog catalog = new ModelCatalog(List.of("codestral-2508", "mistral-embed", "mistral-ocr-2505"));
        assertFalse(catalog.fromMistral());
        assertEquals(List.of("codestral-2508", "mistral-embed", "mistral-ocr-2505"),
                catalog.list().get("data").findValuesAsText("id"));
        JsonNode codestral = catalog.card("codestral-2508").orElseThrow();
        assertEquals("base", codestral.get("type").asText());
        assertTrue(Capability.FIM.of(codestral));
        assertTrue(Capability.CHAT.of(codestral));
        assertTrue(Capability.EMBEDDING.of(catalog.card("mistral-embed").orElseThrow()));
        assertFalse(Capability.CHAT.of(catalog.card("mistral-embed").orElseThrow()));
        assertTrue(Capability.OCR.of(catalog.card("mistral-ocr-2505").orElseThrow()));
    }

    @Test
    void takesMistralsCardsUnchangedForAllowedModelsOnly() throws Exception {
        ModelCatalog catalog = new ModelCatalog(List.of("mistral-small-2506", "mistral-tiny-2312"));
        catalog.update(json("""
                {"object":"list","data":[
                  {"id":"mistral-large-2411","object":"model","type":"base","capabilities":{"completion_chat":true}},
                  {"id":"mistral-small-2506","object":"model","type":"base","max_context_length":131072,
                   "capabilities":{"completion_chat":true,"vision":true},"aliases":["mistral-small-latest"],"x":1}]}
                """));
        assertTrue(catalog.fromMistral());
        assertEquals(List.of("mistral-small-2506", "mistral-tiny-2312"), catalog.list().get("data").findValuesAsText("id"));
        JsonNode small = catalog.card("mistral-small-2506").orElseThrow();
        assertEquals(131072, small.get("max_context_length").asInt());
        assertEquals(1, small.get("x").asInt(), "fields the gateway does not know pass through");
        assertTrue(catalog.card("mistral-large-2411").isEmpty(), "not allowed, not listed");
        assertTrue(catalog.card("mistral-tiny-2312").orElseThrow().get("description").asText().contains("built into"),
                "an allowed model Mistral does not list keeps its built-in card");
    }

    @Test
    void ignoresABodyThatIsNotAModelList() throws Exception {
        ModelCatalog catalog = new ModelCatalog(List.of("mistral-small-2506"));
        catalog.update(json("{\"detail\":\"nope\"}"));
        assertFalse(catalog.fromMistral());
        assertEquals(1, catalog.list().get("data").size());
    }
}
