package dev.mistralgateway.api;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ValueNode;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * JSON is read strictly: a body with content after its object, with a key given twice, or with a number beyond
 * double range ({@code 1e400}, which would be forwarded as {@code "Infinity"}) is refused rather than guessed at
 * (what the gateway validates must be exactly what Mistral receives).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.setNodeFactory(new FiniteNumbers());
    }

    /** Builds JSON trees whose numbers are all finite. */
    static final class FiniteNumbers extends JsonNodeFactory {

        private static final long serialVersionUID = 1L;

        @Override
        public NumericNode numberNode(double value) {
            return super.numberNode(finite(value));
        }

        @Override
        public NumericNode numberNode(float value) {
            return super.numberNode(finite(value));
        }

        @Override
        public ValueNode numberNode(Double value) {
            return super.numberNode(value == null ? null : finite(value));
        }

        @Override
        public ValueNode numberNode(Float value) {
            return super.numberNode(value == null ? null : (float) finite(value));
        }

        private static double finite(double value) {
            if (!Double.isFinite(value)) {
                throw ApiException.invalid("A number in the request is outside the range of a double (at most about"
                        + " 1.8e308); send a finite number");
            }
            return value;
        }
    }
}
