package dev.mistralgateway.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}) for tests: on a free port of 127.0.0.1, with a
 * password, its data in a temporary folder with an append-only file (so that a killed and restarted server keeps
 * what it had, like a production Redis with persistence). Missing tool: the test fails when {@code CI=true}, and is
 * skipped, saying why, elsewhere.
 */
public final class RedisServer implements AutoCloseable {

    private final Path executable;
    private final Path dir;
    private final int port;
    private final String password;
    private Process process;
    private int starts;

    private RedisServer(Path executable, Path dir, int port, String password) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** Starts a server, or skips the calling test (fails it on CI) when redis-server is not installed. */
    public static RedisServer start(String password) throws IOException {
        requireInstalled();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer server = new RedisServer(executable().orElseThrow(), Files.createTempDirectory("redis-it"), port, password);
        server.restart();
        return server;
    }

    /** Skips the calling test, saying why, when redis-server is missing; fails it instead when CI=true. */
    public static void requireInstalled() {
        if (executable().isEmpty()) {
            String message = "redis-server is not installed (Debian package redis-server; .ci/run installs it):"
                    + " the shared-state tests need a real Redis";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
    }

    /** For {@code @ExtendWith}: {@link #requireInstalled()} before each test of the class. */
    public static final class Required implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            requireInstalled();
        }
    }

    static Optional<Path> executable() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "redis-server")).filter(Files::isExecutable).findFirst();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public String password() {
        return password;
    }

    /**
     * Runs one command (after AUTH) on a connection of its own and returns its reply as text: a number or a string as
     * it is, nil as null, an array as its items, one per line.
     */
    public String command(String... args) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            write(out, "AUTH", password);
            reply(in);
            write(out, args);
            return reply(in);
        }
    }

    private static void write(OutputStream out, String... args) throws IOException {
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            command.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        out.write(command.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String reply(DataInputStream in) throws IOException {
        String line = line(in);
        switch (line.charAt(0)) {
            case '+', ':' -> {
                return line.substring(1);
            }
            case '-' -> throw new IOException("Redis: " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    return null;
                }
                byte[] bytes = new byte[length + 2];
                in.readFully(bytes);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line.substring(1));
                List<String> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return String.join("\n", items);
            }
            default -> throw new IOException("Not a Redis reply: " + line);
        }
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    /** Ends the server the hard way (SIGKILL), as a crash or a lost node would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts it (again) on the same port and data folder, and waits until it accepts connections. */
    public void restart() throws IOException {
        List<String> command = List.of(executable.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--requirepass", password);
        Path log = dir.resolve("redis-" + ++starts + ".log");
        Process started = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process = started;
        Awaitility.await("redis-server start").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("redis-server exited: " + Files.readString(log));
                    }
                    return Files.readString(log).contains("Ready to accept connections");
                });
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
