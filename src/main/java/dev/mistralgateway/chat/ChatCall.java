package dev.mistralgateway.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A validated chat request: the body to send to Mistral (defaults applied, gateway-only fields removed). */
public record ChatCall(ObjectNode upstreamBody, String model, boolean stream) {
}
