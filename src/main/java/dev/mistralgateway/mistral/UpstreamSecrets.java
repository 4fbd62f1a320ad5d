package dev.mistralgateway.mistral;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The upstream keys the gateway sends, so that no text Mistral sends back can carry one further: Mistral may echo
 * what it received in an error message, and that message is relayed to clients and logged. Every
 * {@link MistralEndpoint} registers its key on creation; {@link #redact} replaces each with {@value #REDACTED}.
 */
public final class UpstreamSecrets {

    static final String REDACTED = "[REDACTED]";
    /** Shorter keys are not real keys (and replacing them would garble messages). */
    private static final int SHORTEST = 8;

    private static final Set<String> KEYS = new CopyOnWriteArraySet<>();

    private UpstreamSecrets() {
    }

    static void register(String key) {
        if (key != null && key.strip().length() >= SHORTEST) {
            KEYS.add(key.strip());
        }
    }

    /** {@code text} with every registered key replaced by {@value #REDACTED}. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String redacted = text;
        for (String key : KEYS) {
            if (redacted.contains(key)) {
                redacted = redacted.replace(key, REDACTED);
            }
        }
        return redacted;
    }
}
