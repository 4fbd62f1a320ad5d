package dev.mistralgateway.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.config.MistralConfig;

/**
 * The cards of the models clients may use, in allow-list order: Mistral's own cards (from its {@code GET /v1/models},
 * which the health probe calls anyway) for the allowed models it lists, built-in cards ({@link BuiltInCards}) for the
 * others and until Mistral's list first arrives. Clients' {@code /v1/models} calls and capability checks read this
 * cache; none of them calls Mistral.
 */
@Singleton
public class ModelCatalog {

    private static final Logger LOG = Logger.getLogger(ModelCatalog.class);

    private final List<String> allowed;
    private final AtomicReference<Map<String, ObjectNode>> cards = new AtomicReference<>();
    private final AtomicReference<ObjectNode> list = new AtomicReference<>();
    private volatile boolean fromMistral;

    @Inject
    ModelCatalog(MistralConfig config) {
        this(config.models());
    }

    ModelCatalog(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        publish(Map.of());
    }

    /** Takes the allowed models' cards from a body of Mistral's {@code GET /v1/models}; ignores any other body. */
    public void update(JsonNode mistralList) {
        JsonNode data = mistralList == null ? null : mistralList.get("data");
        if (data == null || !data.isArray()) {
            return;
        }
        Map<String, ObjectNode> upstream = new LinkedHashMap<>();
        for (JsonNode card : data) {
            String id = card.path("id").asText(null);
            if (card.isObject() && id != null && allowed.contains(id)) {
                upstream.putIfAbsent(id, (ObjectNode) card);
            }
        }
        if (!fromMistral) {
            LOG.infof("Model cards from Mistral: %d of the %d allowed models", upstream.size(), allowed.size());
        }
        fromMistral = true;
        publish(upstream);
    }

    private void publish(Map<String, ObjectNode> upstream) {
        Map<String, ObjectNode> all = new LinkedHashMap<>();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("object", "list");
        var data = body.putArray("data");
        for (String id : allowed) {
            ObjectNode card = upstream.getOrDefault(id, BuiltInCards.card(id));
            all.put(id, card);
            data.add(card);
        }
        cards.set(Map.copyOf(all));
        list.set(body);
    }

    /** The list in Mistral's shape: {@code {"object":"list","data":[cards]}}. Do not modify it. */
    public ObjectNode list() {
        return list.get();
    }

    /** The card of an allowed model. */
    public Optional<ObjectNode> card(String id) {
        return Optional.ofNullable(cards.get().get(id));
    }

    /** Whether the cards came from Mistral (true after the first successful probe). */
    public boolean fromMistral() {
        return fromMistral;
    }
}
