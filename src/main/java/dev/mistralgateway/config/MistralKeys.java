package dev.mistralgateway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's named Mistral keys, from {@code MISTRAL_API_KEYS} ({@code name=key,name=key}, the shape a Kubernetes
 * Secret holds as one value) and {@code MISTRAL_API_KEY} (one more key, named {@value #SINGLE_KEY_NAME}). Problems name
 * an entry by its position and its name, never by its text, which may be a key.
 */
public final class MistralKeys {

    /** The name {@code MISTRAL_API_KEY} goes by in metrics and {@code /health}. */
    public static final String SINGLE_KEY_NAME = "default";

    private MistralKeys() {
    }

    /** Every configured key by name, in their configured order; empty when none is set. Call after {@link #problems}. */
    public static Map<String, String> of(MistralConfig config) {
        Map<String, String> keys = new LinkedHashMap<>();
        read(config, keys, new ArrayList<>());
        return keys;
    }

    /** What is wrong with the configured keys, each problem in words that carry no key. */
    public static List<String> problems(MistralConfig config) {
        List<String> problems = new ArrayList<>();
        read(config, new LinkedHashMap<>(), problems);
        return problems;
    }

    private static void read(MistralConfig config, Map<String, String> keys, List<String> problems) {
        List<String> entries = config.apiKeys().orElse(List.of());
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i).strip();
            String where = "mistral.api-keys (MISTRAL_API_KEYS) entry " + (i + 1);
            int equals = entry.indexOf('=');
            if (entry.isEmpty()) {
                continue;
            }
            if (equals <= 0) {
                problems.add(where + " has no name: write name=key, entries separated by commas");
                continue;
            }
            String name = entry.substring(0, equals).strip();
            String key = entry.substring(equals + 1).strip();
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                problems.add(where + ": names are 1-64 letters, digits, '.', '_' or '-'");
            } else if (key.isEmpty()) {
                problems.add(where + " ('" + name + "') has an empty key");
            } else if (keys.containsKey(name)) {
                problems.add(where + " repeats the name '" + name + "'");
            } else if (keys.containsValue(key)) {
                problems.add(where + " ('" + name + "') repeats the key of an earlier entry");
            } else {
                keys.put(name, key);
            }
        }
        if (config.apiKeys().isPresent() && entries.stream().allMatch(String::isBlank)) {
            problems.add("mistral.api-keys (MISTRAL_API_KEYS) is set but lists no key");
        }
        config.apiKey().map(String::strip).filter(key -> !key.isEmpty()).ifPresent(single -> {
            if (keys.containsKey(SINGLE_KEY_NAME)) {
                problems.add("mistral.api-keys (MISTRAL_API_KEYS) names a key '" + SINGLE_KEY_NAME
                        + "', the name of MISTRAL_API_KEY, which is set too");
            } else if (!keys.containsValue(single)) {
                keys.put(SINGLE_KEY_NAME, single);
            }
        });
    }
}
