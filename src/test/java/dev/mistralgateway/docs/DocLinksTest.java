package dev.mistralgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Keeps the documents walkable: every relative link and {@code #anchor} in README.md and src/docs/ leads somewhere,
 * and every alert's runbook_url opens the alert's own section of the runbook.
 */
class DocLinksTest {

    private static final List<Path> ALERT_FILES = List.of(Path.of("src/main/prometheus/mistral-gateway-alerts.yml"),
            Path.of("src/main/kubernetes/kubernetes.yml"), Path.of("src/test/prometheus/mistral-gateway-alerts.test.yml"));
    private static final Path RUNBOOK = Docs.DOCS.resolve("operations.md");
    private static final Pattern RUNBOOK_URL = Pattern.compile("runbook_url:\\s*(\\S+)");

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : Docs.all()) {
            for (Docs.Located link : Docs.links(file)) {
                String target = link.text();
                if (target.matches("[a-z][a-z0-9+.-]*:.*")) {
                    continue; // https:, mailto: ... : outside the repository
                }
                checked++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path resolved = path.isEmpty() ? file : file.toAbsolutePath().getParent().resolve(path).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(link + " (no file " + resolved + ")");
                } else if (hash >= 0 && !Docs.anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(link + " (no heading with that anchor in " + path + ")");
                }
            }
        }
        assertTrue(checked > 20, "the documents link to each other (" + checked + " links found)");
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void linksStayInsideTheRepository() {
        Path root = Path.of("").toAbsolutePath();
        List<String> outside = new ArrayList<>();
        for (Path file : Docs.all()) {
            for (Docs.Located link : Docs.links(file)) {
                String path = link.text().replaceFirst("#.*", "");
                if (!path.isEmpty() && !link.text().matches("[a-z][a-z0-9+.-]*:.*")
                        && !file.toAbsolutePath().getParent().resolve(path).normalize().startsWith(root)) {
                    outside.add(link.toString());
                }
            }
        }
        assertEquals(List.of(), outside, "relative links that leave the repository");
    }

    @Test
    void everyRunbookUrlStartsWithTheBaseAndOpensAnExistingSection() throws IOException {
        assertTrue(RunbookLinks.BASE.endsWith("/blob/main/" + RUNBOOK.toString().replace('\\', '/')),
                RunbookLinks.BASE + " is the address of " + RUNBOOK);
        Set<String> anchors = Docs.anchors(RUNBOOK);
        List<String> wrong = new ArrayList<>();
        for (Path file : ALERT_FILES) {
            Matcher url = RUNBOOK_URL.matcher(Files.readString(file));
            int found = 0;
            while (url.find()) {
                found++;
                String link = url.group(1);
                if (!link.startsWith(RunbookLinks.BASE + "#")) {
                    wrong.add(file + ": " + link + " does not start with " + RunbookLinks.BASE + "#");
                } else if (!anchors.contains(link.substring(RunbookLinks.BASE.length() + 1))) {
                    wrong.add(file + ": " + link + " names no heading of " + RUNBOOK);
                }
            }
            assertTrue(found >= 6, file + " has the six alerts' runbook_urls");
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void runbookSectionsKeepTheirAnchors() {
        Set<String> anchors = Docs.anchors(RUNBOOK);
        for (String anchor : List.of("runbook", "mistralapidown", "mistralhighlatency", "mistralratelimited",
                "mistralauthfailure", "mistralcircuitopen", "mistralcostspike", "deploy-failure", "health-check-503",
                "high-error-rate", "runbook-links")) {
            assertTrue(anchors.contains(anchor), RUNBOOK + "#" + anchor + " exists (alerts and pages link to it)");
        }
    }

    @Test
    void anchorsFollowGitHubsSlugRules() {
        assertEquals("mistralapidown", Docs.slug("MistralApiDown"));
        assertEquals("post-apichat-and-post-v1chatcompletions",
                Docs.slug("`POST /api/chat` and `POST /v1/chat/completions`"));
        assertEquals("get-v1models-and-post-v1embeddings", Docs.slug("`GET /v1/models` and `POST /v1/embeddings`"));
        assertEquals("health-check-503", Docs.slug("Health check 503"));
        assertEquals("using-the-mistral-or-openai-sdks", Docs.slug("Using the Mistral or OpenAI SDKs"));
        assertEquals("a-first-request", Docs.slug("A first **request**"));
        assertEquals("snake_case-stays", Docs.slug("snake_case stays"));
    }

    @Test
    void everyDocumentIsReachableFromTheReadme() {
        List<String> linked = Docs.links(Docs.README).stream().map(link -> link.text().replaceFirst("#.*", ""))
                .toList();
        for (Path file : Docs.all()) {
            if (!file.equals(Docs.README)) {
                assertTrue(linked.contains(file.toString().replace('\\', '/')), "README.md links to " + file);
            }
        }
        assertFalse(Docs.all().size() < 9, "README.md and the eight documents of src/docs/");
    }
}
