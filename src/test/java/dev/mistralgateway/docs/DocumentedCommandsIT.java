package dev.mistralgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator section's standalone commands, run as printed against the packaged jar: the simulator, the gateway in
 * the prod profile against it, and the request through it. Only the ports change (9090 and 8080 may be taken on the
 * machine that runs the tests), and the gateway's ports are given as QUARKUS_HTTP_PORT and QUARKUS_MANAGEMENT_PORT.
 */
class DocumentedCommandsIT {

    private static final Path SIMULATOR_DOC = Docs.DOCS.resolve("simulator.md");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void standaloneSimulatorAndPackagedGatewayRunAsPrinted() throws Exception {
        boolean tools = onPath("curl") && onPath("jq");
        assumeTrue(tools || "true".equals(System.getenv("CI")), "curl and jq are needed to run the printed request");
        List<String> commands = Docs.shellCommands(SIMULATOR_DOC).stream().map(Docs.Located::text).toList();
        String simulator = find(commands, "java -cp ");
        String gateway = find(commands, "MISTRAL_API_KEY=");
        String request = find(commands, "curl -s localhost:8080/api/chat");
        String simulatorPort = String.valueOf(freePort());
        String gatewayPort = String.valueOf(freePort());

        Path simulatorLog = start(simulator.replace("9090", simulatorPort).replaceFirst("\\s*&$", ""), Map.of());
        waitFor(simulatorLog, "listening");
        Path gatewayLog = start(gateway.replace("9090", simulatorPort), Map.of("QUARKUS_HTTP_PORT", gatewayPort,
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(freePort())));
        waitFor(gatewayLog, "Listening on");

        Process curl = new ProcessBuilder("bash", "-c", request.replace("8080", gatewayPort)).redirectErrorStream(true)
                .start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS), request + " answers");
        String answer = new String(curl.getInputStream().readAllBytes()).strip();
        assertEquals("\"Echo: ping\"", answer, request + "\n" + Files.readString(gatewayLog));
    }

    private static String find(List<String> commands, String prefix) {
        return commands.stream().filter(command -> command.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(SIMULATOR_DOC + " prints a command starting with " + prefix));
    }

    /** Runs one printed command line in bash; stopping it stops what it started. */
    private Path start(String command, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("documented-command-it", ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        for (String variable : List.of("MISTRAL_API_KEY", "MISTRAL_BASE_URL", "GATEWAY_API_KEYS", "GATEWAY_AUTH_ENABLED")) {
            builder.environment().remove(variable);
        }
        builder.environment().putAll(env);
        processes.add(builder.start());
        return log;
    }

    private void waitFor(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(line)) {
                return;
            }
            if (processes.stream().anyMatch(process -> !process.isAlive())) {
                fail("a documented command exited early:\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        fail("timed out waiting for \"" + line + "\":\n" + Files.readString(log));
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> !directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
