package dev.mistralgateway.mistral;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The OpenTelemetry span of one call to Mistral, with the GenAI semantic-convention attributes. Prompts and
 * answers are never recorded: a trace backend is not a place for user content. A no-op unless tracing is enabled.
 */
final class GenAiSpans {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private GenAiSpans() {
    }

    static Span start(Tracer tracer, String endpoint, ObjectNode request) {
        String operation = endpoint.startsWith("chat") ? "chat" : endpoint;
        String model = request.path("model").asText();
        Span span = tracer.spanBuilder(operation + " " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(SYSTEM, "mistral_ai")
                .setAttribute(OPERATION, operation)
                .setAttribute(REQUEST_MODEL, model)
                .startSpan();
        if (request.hasNonNull("max_tokens")) {
            span.setAttribute(MAX_TOKENS, request.get("max_tokens").asLong());
        }
        if (request.hasNonNull("temperature")) {
            span.setAttribute(TEMPERATURE, request.get("temperature").asDouble());
        }
        return span;
    }

    static void end(Span span, Object item, Throwable failure, boolean cancelled) {
        if (failure != null) {
            // The exception class, never its message: bounded, and free of upstream text.
            span.setAttribute(ERROR_TYPE, failure.getClass().getSimpleName());
            span.setStatus(StatusCode.ERROR);
        } else if (cancelled) {
            span.setAttribute(ERROR_TYPE, "cancelled");
        } else if (item instanceof MistralAnswer answer) {
            if (answer.model() != null) {
                span.setAttribute(RESPONSE_MODEL, answer.model());
            }
            if (answer.id() != null) {
                span.setAttribute(RESPONSE_ID, answer.id());
            }
            JsonNode usage = answer.usage();
            if (usage.isObject()) {
                span.setAttribute(INPUT_TOKENS, usage.path("prompt_tokens").asLong());
                span.setAttribute(OUTPUT_TOKENS, usage.path("completion_tokens").asLong());
            }
        }
        span.end();
    }
}
