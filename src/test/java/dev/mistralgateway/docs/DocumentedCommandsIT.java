package dev.mistralgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.testing.PackagedApp;

/**
 * Commands printed in the documents and in the Dockerfile, run as printed against the packaged jar. The simulator
 * section's: the simulator, the gateway in the prod profile against it, and the request through it; only the ports
 * change (9090 and 8080 may be taken on the machine that runs the tests), and the gateway's ports are given as
 * QUARKUS_HTTP_PORT and QUARKUS_MANAGEMENT_PORT. The Dockerfile's "Run:" line: the image's application starts with
 * exactly the variables it passes, and the image exposes the ports the application listens on.
 */
class DocumentedCommandsIT {

    private static final Path SIMULATOR_DOC = Docs.DOCS.resolve("simulator.md");
    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    private static final Path MANIFEST = Path.of("target", "kubernetes", "kubernetes.yml");
    /** A valid value for each variable a printed command may pass on from the shell. */
    private static final Map<String, String> EXAMPLE_VALUES = Map.of(
            "MISTRAL_API_KEY", "it-mistral-key-0123456789abcdef",
            "GATEWAY_API_KEYS", "local=local-client-key-0001");

    private final PackagedApp app = new PackagedApp();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        app.close();
    }

    @Test
    void standaloneSimulatorAndPackagedGatewayRunAsPrinted() throws Exception {
        assumeTrue(Shell.onPath("curl") && Shell.onPath("jq") || "true".equals(System.getenv("CI")),
                "curl and jq are needed to run the printed request");
        List<String> commands = Docs.shellCommands(SIMULATOR_DOC).stream().map(Docs.Located::text).toList();
        String simulator = find(commands, "java -cp ");
        String gateway = find(commands, "MISTRAL_API_KEY=");
        String request = find(commands, "curl -s localhost:8080/api/chat");
        String simulatorPort = String.valueOf(PackagedApp.freePort());
        String gatewayPort = String.valueOf(PackagedApp.freePort());

        Path simulatorLog = app.start(List.of("bash", "-c",
                simulator.replace("9090", simulatorPort).replaceFirst("\\s*&$", "")), Map.of());
        waitFor(simulatorLog, "listening");
        Path gatewayLog = app.start(List.of("bash", "-c", gateway.replace("9090", simulatorPort)),
                Map.of("QUARKUS_HTTP_PORT", gatewayPort));
        waitFor(gatewayLog, "Listening on");

        assertEquals("\"Echo: ping\"", Shell.run(request.replace("8080", gatewayPort), Path.of(""), 30).output(),
                request + "\n" + Files.readString(gatewayLog));
    }

    @Test
    void theDockerfilesRunLineStartsTheApplicationAndItsPortsAreExposed() throws Exception {
        String run = Files.readAllLines(DOCKERFILE).stream().filter(line -> line.startsWith("# Run:")).findFirst()
                .orElseThrow(() -> new AssertionError(DOCKERFILE + " prints how to run the image"));
        Map<String, String> env = new HashMap<>();
        Set<Integer> published = new TreeSet<>();
        for (Matcher option = Pattern.compile("(-e|-p) (\\S+)").matcher(run); option.find();) {
            String value = option.group(2);
            if (option.group(1).equals("-p")) {
                published.add(Integer.parseInt(value.substring(value.lastIndexOf(':') + 1)));
            } else if (value.contains("=")) {
                env.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
            } else {
                assertTrue(EXAMPLE_VALUES.containsKey(value), run + ": give " + value + " an example value here");
                env.put(value, EXAMPLE_VALUES.get(value));
            }
        }
        Set<Integer> exposed = new TreeSet<>();
        Files.readAllLines(DOCKERFILE).stream().filter(line -> line.startsWith("EXPOSE "))
                .flatMap(line -> Pattern.compile("\\s+").splitAsStream(line.substring(7).strip()))
                .forEach(port -> exposed.add(Integer.parseInt(port)));
        Set<Integer> listening = new TreeSet<>();
        Pattern.compile("containerPort: (\\d+)").matcher(Files.readString(MANIFEST)).results()
                .forEach(port -> listening.add(Integer.parseInt(port.group(1))));

        assertEquals(listening, exposed, DOCKERFILE + " exposes the ports of the generated Deployment");
        assertEquals(listening, published, run + " publishes every port the application listens on");

        // No Mistral to call here: its base URL points at a closed local port, so nothing leaves the machine.
        env.put("MISTRAL_BASE_URL", "http://127.0.0.1:" + PackagedApp.freePort());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(PackagedApp.freePort()));
        Path log = app.start(List.of(PackagedApp.java(), "-jar", PackagedApp.APP.resolve("quarkus-run.jar").toString()),
                env);
        waitFor(log, "Listening on");
    }

    private static String find(List<String> commands, String prefix) {
        return commands.stream().filter(command -> command.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(SIMULATOR_DOC + " prints a command starting with " + prefix));
    }

    private void waitFor(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(line)) {
                return;
            }
            if (!app.last().isAlive()) {
                fail("a documented command exited early:\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        fail("timed out waiting for \"" + line + "\":\n" + Files.readString(log));
    }
}
