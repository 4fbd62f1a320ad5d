package dev.mistralgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.NodeProject;
import dev.mistralgateway.testing.PackagedApp;

/**
 * The README's first command, run as a new user runs it: {@code ./mvnw quarkus:dev} in a copy of the project, with no
 * {@code MISTRAL_API_KEY} (so on the dev simulator), then the README's first request and stream exactly as printed
 * (piped to {@code jq}), a fault injected through the simulator's control endpoint, one live reload (a touched Java
 * file), after which the service answers and the simulator and its fault are still there, and a stop. Only the ports
 * differ from the README: the service's come from QUARKUS_HTTP_PORT and QUARKUS_MANAGEMENT_PORT, free ones, and the
 * printed requests are run with {@code localhost:8080} and {@code localhost:9000} replaced by them. Last, a fault
 * injected from the operator page's simulator panel, in headless Chromium, opens the breaker.
 */
class DevModeIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final Pattern SIMULATOR_LINE = Pattern.compile("built-in Mistral simulator at (http://\\S+?) ");
    /** The first start compiles the copy; two cores in CI. */
    private static final long START_SECONDS = 300;

    private final PackagedApp processes = new PackagedApp();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

    @AfterEach
    void stop() throws InterruptedException {
        processes.close();
    }

    @Test
    void theReadmesFirstCommandServesOnTheSimulatorAndSurvivesALiveReload() throws Exception {
        assumeTrue(Shell.onPath("curl") && Shell.onPath("jq") || "true".equals(System.getenv("CI")),
                "curl and jq are needed to run the README's requests as printed");
        long started = System.nanoTime();
        List<String> commands = Docs.shellCommands(Docs.README).stream().map(Docs.Located::text).toList();
        String devMode = find(commands, "./mvnw quarkus:dev");
        String firstRequest = find(commands, "curl -s localhost:8080/api/chat");
        String stream = find(commands, "curl -sN localhost:8080/v1/chat/completions");
        String expected = printedOutputAfter(firstRequest);
        String swaggerUi = Docs.codeSpans(Docs.README).stream().map(Docs.Located::text)
                .filter(span -> span.startsWith("localhost:9000/q/swagger-ui")).findFirst()
                .orElseThrow(() -> new AssertionError("README.md names Swagger UI's address"));

        Path project = copyOfTheProject();
        int port = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        Path log = processes.start(project, List.of("bash", "-c", devMode), Map.of(
                "QUARKUS_HTTP_PORT", String.valueOf(port), "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort)));
        waitFor(log, "Listening on", START_SECONDS);
        String simulator = simulatorUrl(Files.readString(log));
        System.out.printf("[dev mode] started in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

        assertEquals(expected, run(firstRequest, port, managementPort), firstRequest);
        String events = run(stream, port, managementPort);
        assertTrue(events.contains("\"content\":\"Echo:"), events);
        assertTrue(events.endsWith("data: [DONE]"), "the stream ends with [DONE]:\n" + events);
        assertEquals(200, get(URI.create("http://" + swaggerUi.replace("9000", String.valueOf(managementPort)))),
                swaggerUi + " in dev mode");

        // A fault only the marked request takes, injected as a developer would, before the reload.
        String marked = firstRequest.replace("\"content\":\"ping\"", "\"content\":\"fault-me\"");
        assertFalse(marked.equals(firstRequest), "the README's request sends content ping");
        HttpResponse<String> injected = http.send(HttpRequest.newBuilder(URI.create(simulator + "/_simulator/faults"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"status\",\"status\":400,\"message\":\"injected before the reload\",\"times\":-1,"
                                + "\"match\":\"fault-me\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, injected.statusCode(), injected.body());

        touchAJavaFile(project);
        long reload = System.nanoTime();
        // Dev mode looks for changed files on a request at most every 2 s: every request answers, one of them after
        // the restart it triggers.
        long deadline = reload + TimeUnit.SECONDS.toNanos(30);
        do {
            assertEquals(expected, run(firstRequest, port, managementPort), "a request while the reload happens");
            assertTrue(System.nanoTime() < deadline, "no live reload 30 s after a source file changed:\n"
                    + Files.readString(log));
        } while (!Files.readString(log).contains("Live reload total time"));
        System.out.printf("[dev mode] live reload answered in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reload));
        String afterReload = Files.readString(log);
        int restart = afterReload.indexOf("Restarting quarkus");
        assertTrue(restart > 0 && afterReload.lastIndexOf("built-in Mistral simulator at " + simulator + " ") > restart,
                "the restarted service uses the same simulator:\n" + afterReload);
        assertEquals("\"injected before the reload\"",
                run(marked.replace(".choices[0].message.content", ".error.message"), port, managementPort),
                "the fault injected before the reload is still there");

        // Last, since it opens the breaker: the operator page's simulator panel, driven in a browser.
        if (NodeProject.present("dev mode's operator page check", List.of(CHROMIUM, "node", "npm"))) {
            NodeProject browser = new NodeProject("ui").install();
            NodeProject.Result panel = browser.run(List.of("node", "dev-panel.mjs"), Map.of(
                    "PAGE_URL", "http://localhost:" + managementPort + "/ui", "API_URL", "http://localhost:" + port,
                    "CHROMIUM", CHROMIUM), 120);
            System.out.println("[dev mode] " + panel.output().strip());
            assertEquals(0, panel.exitCode(), panel.output());
        }

        processes.close();
        assertFalse(listening(port), "stopping dev mode frees its port");
        System.out.printf("[dev mode] whole run %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private static String find(List<String> commands, String prefix) {
        return commands.stream().filter(command -> command.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("README.md prints a command starting with " + prefix));
    }

    /** The README shows a request's output as the comment line after it: {@code # "Echo: ping"}. */
    private static String printedOutputAfter(String command) {
        List<String> lines = Docs.lines(Docs.README);
        String end = command.substring(command.lastIndexOf('|')).strip();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).contains(end) && lines.get(i + 1).startsWith("# ")) {
                return lines.get(i + 1).substring(2).strip();
            }
        }
        throw new AssertionError("README.md shows the output of " + command);
    }

    /** The printed command with the README's ports replaced by this run's. */
    private static String run(String command, int port, int managementPort) throws Exception {
        String local = command.replace("localhost:8080", "localhost:" + port)
                .replace("localhost:9000", "localhost:" + managementPort);
        Shell.Result result = Shell.run(local, Path.of(""), 30);
        assertEquals(0, result.exitCode(), local + "\n" + result.output());
        return result.output();
    }

    private int get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String simulatorUrl(String log) {
        Matcher line = SIMULATOR_LINE.matcher(log);
        assertTrue(line.find(), "dev mode without a key says it uses the simulator, and where:\n" + log);
        return line.group(1);
    }

    /** The project as a fresh clone has it: the wrapper, the build file and the sources, nothing built. */
    private static Path copyOfTheProject() throws IOException {
        Path copy = Path.of("target", "dev-mode-it", "project").toAbsolutePath();
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                old.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
        for (String entry : List.of("pom.xml", "mvnw", ".mvn", "src")) {
            Path from = Path.of(entry);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(file.toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        return copy;
    }

    /** A saved source file, as an editor saves one: dev mode recompiles and restarts on the next request. */
    private static void touchAJavaFile(Path project) throws IOException {
        try (Stream<Path> sources = Files.walk(project.resolve("src/main/java"))) {
            Path file = sources.filter(source -> source.toString().endsWith(".java")).sorted().findFirst()
                    .orElseThrow();
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(1)));
        }
    }

    private void waitFor(Path log, String line, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            if (text.contains(line)) {
                return;
            }
            if (!processes.last().isAlive()) {
                fail("./mvnw quarkus:dev exited:\n" + text);
            }
            if (text.contains("Failed to start quarkus")) {
                // Dev mode stays up waiting for a fix: the test need not wait for it.
                fail("./mvnw quarkus:dev failed to start:\n" + text);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        fail("timed out after " + seconds + " s waiting for \"" + line + "\":\n" + Files.readString(log));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException closed) {
            return false;
        }
    }
}
