package dev.mistralgateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command printed in README.md and src/docs/ works as printed: run here where a plain test can (promtool, the
 * fork's search-and-replace), otherwise checked against what it names (see {@link CommandChecks}); the packaged jar's
 * commands run in {@code DocumentedCommandsIT}. Config keys and variables named anywhere in the prose exist.
 */
class DocumentedCommandsTest {

    /** Inline code that is a command line, not a mere name: a known program followed by arguments. */
    private static final Pattern INLINE_COMMAND = Pattern.compile(
            "^(?:[A-Z_]+=\\S+ )*(?:\\./mvnw|kubectl|curl|promtool|docker|java|src/main/\\S+) \\S.*");
    private static final Pattern CONFIG_KEY = Pattern.compile("^(?:mistral|gateway|quarkus)\\.[A-Za-z0-9./\"<>*_-]*");
    private static final Pattern ASSIGNMENTS = Pattern.compile("^(?:[A-Z][A-Z0-9_]*=\\S+ ?)+$");
    private static final Path CI = Path.of(".ci/run");
    private static final Path CONFIGURATION = Docs.DOCS.resolve("configuration.md");
    /** A class name as tests are named here: {@code ChatApiTest}, {@code PackagedJarIT}. */
    private static final Pattern TEST_CLASS = Pattern.compile("(?<![*\\w])[A-Z][a-z][A-Za-z0-9]*(?:Test|IT)\\b");
    private static final Pattern LOCAL_URL = Pattern.compile("(?:localhost|127\\.0\\.0\\.1):(\\d+)(/[^\\s`'\")]*)?");
    private static final String API_PORT = "8080";
    private static final String MANAGEMENT_PORT = "9000";

    private final CommandChecks checks = new CommandChecks();

    @Test
    void everyPrintedCommandPassesItsCheck() {
        List<Docs.Located> commands = printedCommands();
        assertTrue(commands.size() > 60, "commands found: " + commands.size());
        List<String> problems = new ArrayList<>();
        for (Docs.Located command : commands) {
            for (Shell.Simple simple : Shell.simpleCommands(command.text())) {
                checks.check(simple).forEach(problem -> problems.add(command + "\n    -> " + problem));
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyConfigKeyAndVariableNamedInTheDocumentsExists() {
        Set<String> known = ConfigKeys.known();
        List<String> unknown = new ArrayList<>();
        for (Path file : Docs.all()) {
            for (Docs.Located span : Docs.codeSpans(file)) {
                String text = span.text();
                Matcher key = CONFIG_KEY.matcher(text);
                if (key.find() && !ConfigKeys.exists(key.group(), known)) {
                    unknown.add(span + " (no such key)");
                } else if (text.startsWith("-D")) {
                    checks.property(text).forEach(problem -> unknown.add(span + " (" + problem + ")"));
                } else if (ASSIGNMENTS.matcher(text).matches()) {
                    for (String assignment : text.split(" ")) {
                        String variable = assignment.substring(0, assignment.indexOf('='));
                        if (ConfigKeys.looksLikeConfig(variable) && !ConfigKeys.envExists(variable, known)) {
                            unknown.add(span + " (" + variable + " is no key's variable)");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), unknown);
    }

    @Test
    void configurationTableListsEveryKeyWithItsVariable() {
        Set<String> known = ConfigKeys.known();
        Set<String> documented = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (String row : Docs.lines(CONFIGURATION)) {
            if (!row.startsWith("| `")) {
                continue;
            }
            String[] cells = row.split(" \\| ");
            List<String> keys = new ArrayList<>();
            for (Matcher span = Pattern.compile("`([^`]+)`").matcher(cells[0]); span.find();) {
                String key = span.group(1);
                // "`mistral.prices."<model>".input` / `.output`": the second names a sibling of the first.
                keys.add(key.startsWith(".") ? keys.get(0).substring(0, keys.get(0).lastIndexOf('.')) + key : key);
            }
            for (String key : keys) {
                documented.add(ConfigKeys.normalize(key));
                if (!ConfigKeys.exists(key, known)) {
                    wrong.add(key + ": no such key");
                }
                String env = cells[1].replace("`", "").strip();
                if (keys.size() == 1 && !env.equals("—") && !env.equals(ConfigKeys.env(key))) {
                    wrong.add(key + ": its variable is " + ConfigKeys.env(key) + ", not " + env);
                }
            }
        }
        Set<String> missing = new TreeSet<>(ConfigKeys.mapped());
        missing.removeAll(documented);
        assertEquals(List.of(), wrong, CONFIGURATION + " table");
        assertEquals(Set.of(), missing, "config mapping keys missing from the table in " + CONFIGURATION);
    }

    @Test
    void theReadmesTestCommandIsTheOneCiRuns() throws IOException {
        List<String> ci = Files.readAllLines(CI).stream().filter(line -> line.startsWith("./mvnw")).toList();
        assertEquals(List.of("./mvnw -B verify"), ci, CI + " runs one Maven command");
        assertTrue(Docs.shellCommands(Docs.README).stream().anyMatch(command -> command.text().equals(ci.get(0))),
                "README.md prints " + ci.get(0));
    }

    @Test
    void everyTestClassNamedInTheDocumentsAndTheToolsFilesExists() throws IOException {
        List<Path> files = new ArrayList<>(Docs.all());
        for (Path directory : List.of(Path.of("src/test/sdk"), Path.of("src/main/docker"), Path.of("src/main/bench"),
                Path.of("src/main/scripts"), Path.of(".ci"))) {
            try (Stream<Path> listed = Files.list(directory)) {
                listed.filter(Files::isRegularFile).filter(file -> !file.toString().endsWith("package-lock.json"))
                        .forEach(files::add);
            }
        }
        List<String> missing = new ArrayList<>();
        for (Path file : files) {
            for (Matcher name = TEST_CLASS.matcher(Files.readString(file)); name.find();) {
                if (!testClassExists(name.group())) {
                    missing.add(file + ": " + name.group());
                }
            }
        }
        assertEquals(List.of(), missing, "test classes named but not in src/test/java");
    }

    @Test
    void everyLocalUrlPrintedUsesThePortThatServesItsPath() {
        List<String> wrong = new ArrayList<>();
        for (Path file : Docs.all()) {
            List<String> lines = Docs.lines(file);
            for (int i = 0; i < lines.size(); i++) {
                for (Matcher url = LOCAL_URL.matcher(lines.get(i)); url.find();) {
                    String port = url.group(1);
                    String path = url.group(2) == null ? "" : url.group(2);
                    boolean management = path.startsWith("/q/") || path.matches("/ui(\\?.*)?");
                    if (port.equals(API_PORT) && management || port.equals(MANAGEMENT_PORT) && !management) {
                        wrong.add(file + ":" + (i + 1) + ": " + url.group() + " (the API port is " + API_PORT
                                + ", /q/ paths and /ui are on the management port, " + MANAGEMENT_PORT + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static boolean testClassExists(String name) {
        try (Stream<Path> sources = Files.walk(Path.of("src/test/java"))) {
            if (sources.anyMatch(file -> file.getFileName().toString().equals(name + ".java"))) {
                return true;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // The frameworks' annotations (@QuarkusTest, @ParameterizedTest, ...) are named too.
        return Stream.of("io.quarkus.test.junit.", "org.junit.jupiter.api.", "org.junit.jupiter.params.")
                .anyMatch(prefix -> {
                    try {
                        Class.forName(prefix + name);
                        return true;
                    } catch (ClassNotFoundException notThere) {
                        return false;
                    }
                });
    }

    @Test
    void promtoolCommandsRunAsPrinted() throws Exception {
        List<Docs.Located> promtool = printedCommands().stream()
                .filter(command -> command.text().startsWith("promtool ")).toList();
        assertFalse(promtool.isEmpty(), "the documents show promtool");
        assumeTrue(Shell.onPath("promtool") || "true".equals(System.getenv("CI")),
                "promtool is not on PATH (Debian/Ubuntu package 'prometheus')");
        for (Docs.Located command : promtool) {
            assertEquals(0, bash(command.text(), Path.of("")), command.toString());
        }
    }

    @Test
    void theForksSearchAndReplaceMovesEveryRunbookUrl(@TempDir Path copy) throws Exception {
        Docs.Located replace = printedCommands().stream()
                .filter(command -> command.text().startsWith("grep ") && command.text().contains("sed -i"))
                .findFirst().orElseThrow(() -> new AssertionError("operations.md prints the base URL replacement"));
        copyTree(Path.of("src"), copy.resolve("src"));
        assertEquals(0, bash(replace.text(), copy), replace.toString());
        String newBase = replace.text().replaceFirst(".*#(https://[^#]+)#g'$", "$1");
        for (String file : List.of("src/main/prometheus/mistral-gateway-alerts.yml", "src/main/kubernetes/kubernetes.yml",
                "src/test/prometheus/mistral-gateway-alerts.test.yml",
                "src/test/java/dev/mistralgateway/docs/RunbookLinks.java")) {
            String text = Files.readString(copy.resolve(file));
            assertFalse(text.contains(RunbookLinks.BASE), file + " keeps no old runbook URL");
            assertTrue(text.contains(newBase + "operations.md"), file + " points at " + newBase);
        }
    }

    /** Every command line of the bash blocks, and every inline command of the prose. */
    private static List<Docs.Located> printedCommands() {
        List<Docs.Located> commands = new ArrayList<>();
        for (Path file : Docs.all()) {
            commands.addAll(Docs.shellCommands(file));
            Docs.codeSpans(file).stream().filter(span -> INLINE_COMMAND.matcher(span.text()).matches())
                    .forEach(commands::add);
        }
        return commands;
    }

    private static int bash(String command, Path directory) throws Exception {
        Shell.Result result = Shell.run(command, directory, 60);
        if (result.exitCode() != 0) {
            System.err.println(command + "\n" + result.output());
        }
        return result.exitCode();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
