package dev.mistralgateway.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code grep -r "MISTRAL_API_KEY\|sk-" src/} as a quality gate: no key-shaped string and no
 * literal {@code MISTRAL_API_KEY=value} anywhere under {@code src/}. Test fixtures use obviously fake values,
 * allow-listed here by exact text. (The generated manifests are scanned by {@code KubernetesManifestIT}.)
 */
class SecretScanTest {

    /** Key shapes: Mistral/OpenAI-style {@code sk-...}, a long bearer token, a literal assignment of the key. */
    static final List<Pattern> KEY_SHAPES = List.of(
            Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"),
            Pattern.compile("Bearer [A-Za-z0-9._~+/-]{32,}"),
            Pattern.compile("MISTRAL_API_KEY\\s*[=:]\\s*[\"']?[A-Za-z0-9_-]{8,}"));

    /** Fake fixture values that look like keys on purpose. */
    static final Set<String> ALLOWED = Set.of("sk-test-value-that-must-never-be-printed");

    @Test
    void sourceTreeHoldsNoKeyShapedStrings() throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text;
                try {
                    text = Files.readString(file);
                } catch (MalformedInputException binary) {
                    continue;
                }
                for (Pattern shape : KEY_SHAPES) {
                    Matcher matcher = shape.matcher(text);
                    while (matcher.find()) {
                        if (!ALLOWED.contains(matcher.group())) {
                            hits.add(file + ": " + matcher.group());
                        }
                    }
                }
            }
        }
        assertTrue(hits.isEmpty(), "key-shaped strings in src/ (use obviously fake values and allow-list them): " + hits);
    }

    @Test
    void theScannerFindsWhatItIsFor() {
        // Assembled at run time, so that this file itself holds no key-shaped literal.
        String fake = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (String leak : List.of("key = \"sk" + "-" + fake + "\"", "MISTRAL_API_KEY" + "=" + fake,
                "curl -H 'Authorization: Bearer " + fake + "'")) {
            assertTrue(KEY_SHAPES.stream().anyMatch(p -> p.matcher(leak).find()), "detects: " + leak);
        }
    }
}
