package dev.mistralgateway.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a documented command that a test cannot run (it starts a server, needs a cluster or a registry) against the
 * code and configuration it names: Maven goals and properties, config keys and their variables, script paths and
 * options, routes, Kubernetes names. Each check returns what is wrong, or nothing.
 */
final class CommandChecks {

    /** The Maven lifecycle phases a command may name, and the project's plugin goals. */
    private static final Set<String> MAVEN_GOALS = Set.of("clean", "validate", "compile", "test", "package",
            "integration-test", "verify", "install", "quarkus:dev", "quarkus:build", "quarkus:test");
    private static final Set<String> MAVEN_OPTIONS = Set.of("-B", "-q", "-o", "-e");
    /** Properties that Maven and its plugins read, as opposed to the gateway's configuration. */
    private static final Set<String> MAVEN_PROPERTIES = Set.of("skipTests", "skipITs", "test", "it.test",
            "surefire.failIfNoSpecifiedTests");
    /** What the manifests name: quarkus.kubernetes.name, and the canary script's copy. */
    private static final Set<String> KUBERNETES_NAMES = kubernetesNames();
    /** Programs whose use in the documents needs no check of its own (filters, file handling). */
    private static final Set<String> UTILITIES = Set.of("jq", "grep", "wc", "xargs", "sed", "printf", "rm", "umask");
    private static final Pattern KUBERNETES_RESOURCE = Pattern.compile(
            "^(?:deployment|deploy|service|svc|secret)/([a-z0-9-]+)$");
    private static final Pattern GATEWAY_URL = Pattern.compile(
            "^(?:https?://)?(?:localhost:8080|127\\.0\\.0\\.1:8080|<gateway>|\\$SIM)(/[^?\\s]*)?");
    private static final Path MAIN_JAVA = Path.of("src/main/java");

    private final Set<String> known = ConfigKeys.known();
    private final String mainSources = read(MAIN_JAVA);
    /**
     * The Secret keys the Deployment reads: quarkus.kubernetes.env.mapping.*.with-key, and the optional ones of the
     * manifest fragment (a secretKeyRef's {@code key:}).
     */
    private final Set<String> secretKeys = Stream.concat(read(ConfigKeys.PROPERTIES).lines()
            .filter(line -> line.matches("quarkus\\.kubernetes\\.env\\.mapping\\.[a-z-]+\\.with-key=.*"))
            .map(line -> line.substring(line.indexOf('=') + 1).strip()),
            read(Path.of("src/main/kubernetes/kubernetes.yml")).lines()
                    .filter(line -> line.matches("\\s+key: [a-z-]+"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip()))
            .collect(java.util.stream.Collectors.toSet());

    /** What is wrong with one simple command of a documented command line. */
    List<String> check(Shell.Simple command) {
        List<String> problems = new ArrayList<>();
        String program = command.program();
        boolean script = program.startsWith("src/");
        for (String assignment : command.assignments()) {
            String variable = command.variable(assignment);
            if (script) {
                if (Files.exists(Path.of(program)) && !read(Path.of(program)).contains(variable)) {
                    problems.add(program + " does not read " + variable);
                }
            } else if (ConfigKeys.looksLikeConfig(variable) && !ConfigKeys.envExists(variable, known)) {
                problems.add(variable + " is no configuration key's variable");
            }
        }
        if (program.isEmpty()) {
            return problems;
        }
        switch (program) {
            case "./mvnw" -> problems.addAll(maven(command.words()));
            case "curl" -> problems.addAll(curl(command.words()));
            case "kubectl" -> problems.addAll(kubectl(command.words()));
            case "docker" -> problems.addAll(existingFileAfter("-f", command.words()));
            case "java" -> problems.addAll(java(command.words()));
            case "promtool" -> problems.addAll(existingFiles(command.words().subList(3, command.words().size())));
            default -> {
                if (script) {
                    problems.addAll(script(command.words()));
                } else if (!UTILITIES.contains(program)) {
                    problems.add("no check for the program " + program);
                }
            }
        }
        return problems;
    }

    /** A {@code -D} property: Maven's own, or a configuration key the gateway knows. */
    List<String> property(String option) {
        String key = option.substring(2).replaceFirst("=.*", "");
        return MAVEN_PROPERTIES.contains(key) || ConfigKeys.exists(key, known) ? List.of()
                : List.of(key + " is neither a Maven property nor a configuration key");
    }

    private List<String> maven(List<String> words) {
        List<String> problems = new ArrayList<>();
        for (String word : words.subList(1, words.size())) {
            if (word.startsWith("-D")) {
                problems.addAll(property(word));
                if (word.startsWith("-Dtest=")) {
                    for (String test : word.substring("-Dtest=".length()).split(",")) {
                        if (!test.contains("*") && !testClassExists(test)) {
                            problems.add("no test class " + test);
                        }
                    }
                }
            } else if (!MAVEN_OPTIONS.contains(word) && !MAVEN_GOALS.contains(word)) {
                problems.add("unknown Maven goal or option " + word);
            }
        }
        if (words.stream().skip(1).noneMatch(MAVEN_GOALS::contains)) {
            problems.add("no Maven goal");
        }
        return problems;
    }

    private List<String> curl(List<String> words) {
        for (String word : words) {
            Matcher url = GATEWAY_URL.matcher(word);
            if (url.find()) {
                String path = url.group(1) == null ? "/" : url.group(1);
                if (word.startsWith("$SIM")) {
                    String action = path.replaceFirst("^/_simulator/", "");
                    return path.startsWith("/_simulator/") && read(MAIN_JAVA.resolve("dev/mistralgateway/simulator"))
                            .contains("\"" + action + "\"") ? List.of() : List.of("the simulator has no " + path);
                }
                // A path with an id (/v1/models/<id>) is served by a route template ending in "/{id}".
                String template = path.substring(0, path.lastIndexOf('/') + 1) + "{id}";
                return path.startsWith("/q/") || mainSources.contains("\"" + path + "\"")
                        || path.lastIndexOf('/') > 0 && mainSources.contains("\"" + template + "\"") ? List.of()
                        : List.of("the gateway has no route " + path);
            }
        }
        return List.of(); // another server (Prometheus, ...)
    }

    /** quarkus.kubernetes.name, the canary script's copy of it, and every object of the manifest fragments. */
    private static Set<String> kubernetesNames() {
        Set<String> names = new TreeSet<>(List.of("mistral-gateway", "mistral-gateway-canary"));
        try {
            // A resource's own name, or a Secret the Deployment reads whole (envFrom's secretRef).
            Matcher name = Pattern.compile("(?m)(?:^metadata:|secretRef:)\\s*\\n(?:\\s+.*\\n)*?\\s+name:\\s*([a-z0-9-]+)")
                    .matcher(Files.readString(Path.of("src/main/kubernetes/kubernetes.yml")));
            while (name.find()) {
                names.add(name.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private List<String> kubectl(List<String> words) {
        List<String> problems = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            Matcher resource = KUBERNETES_RESOURCE.matcher(word);
            String name = null;
            if (resource.matches()) {
                name = resource.group(1);
            } else if (word.equals("secret") && i + 1 < words.size()) {
                name = words.get(i + 1).equals("generic") ? words.get(i + 2) : words.get(i + 1);
            } else if (word.matches("--from-file=[a-z-]+=.*") && !secretKeys.contains(word.split("=")[1])) {
                problems.add("the Deployment reads no Secret key " + word.split("=")[1]);
            }
            if (name != null && !name.startsWith("<") && !KUBERNETES_NAMES.contains(name)) {
                problems.add("the manifests name no " + word + " " + name);
            }
        }
        problems.addAll(existingFileAfter("-f", words));
        return problems;
    }

    private List<String> java(List<String> words) {
        if (words.contains("-version")) {
            return List.of();
        }
        int jar = words.indexOf("-jar");
        if (jar >= 0) {
            // The fast-jar layout of quarkus-maven-plugin; DocumentedCommandsIT starts it as printed.
            return words.get(jar + 1).equals("target/quarkus-app/quarkus-run.jar") ? List.of()
                    : List.of("the build writes target/quarkus-app/quarkus-run.jar, not " + words.get(jar + 1));
        }
        int cp = words.indexOf("-cp");
        String mainClass = words.get(cp + 2);
        Path source = MAIN_JAVA.resolve(mainClass.replace('.', '/') + ".java");
        if (!Files.exists(source)) {
            return List.of("no main class " + mainClass);
        }
        String text = read(source);
        return words.subList(cp + 3, words.size()).stream().filter(word -> word.startsWith("--"))
                .filter(option -> !text.contains("\"" + option + "\"")).map(option -> mainClass + " has no " + option)
                .toList();
    }

    private List<String> script(List<String> words) {
        Path script = Path.of(words.get(0));
        if (!Files.isRegularFile(script) || !Files.isExecutable(script)) {
            return List.of(script + " is not an executable file");
        }
        String text = read(script);
        return words.subList(1, words.size()).stream().filter(word -> word.matches("--?[a-z][a-z-]*"))
                .filter(option -> !text.contains(option)).map(option -> script + " has no option " + option).toList();
    }

    private static List<String> existingFileAfter(String option, List<String> words) {
        int at = words.indexOf(option);
        if (at < 0 || words.get(at + 1).equals("-") || words.get(at + 1).startsWith("target/")) {
            return List.of(); // stdin, or an output of the build (KubernetesManifestIT reads it)
        }
        return existingFiles(List.of(words.get(at + 1)));
    }

    private static List<String> existingFiles(List<String> files) {
        return files.stream().filter(file -> !Files.exists(Path.of(file))).map(file -> "no file " + file).toList();
    }

    private static boolean testClassExists(String name) {
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            return files.anyMatch(file -> file.getFileName().toString().equals(name + ".java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file's text, or the text of every file under a directory. */
    private static String read(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                text.append(Files.readString(file)).append('\n');
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
