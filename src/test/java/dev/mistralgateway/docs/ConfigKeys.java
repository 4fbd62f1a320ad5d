package dev.mistralgateway.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.config.ConfigMapping;

import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.config.MistralConfig;

/**
 * The configuration keys the gateway reads: those of its {@code @ConfigMapping}s (a map's key written {@code *}),
 * those set in application.properties, and the few Quarkus keys the documents tell operators to set.
 */
final class ConfigKeys {

    static final Path PROPERTIES = Path.of("src/main/resources/application.properties");

    /** Quarkus' own keys that the documents name but application.properties does not set (see quarkus.io/guides). */
    private static final Set<String> QUARKUS_DOCUMENTED = Set.of(
            "quarkus.http.port",
            "quarkus.otel.exporter.otlp.endpoint",
            "quarkus.container-image.registry",
            "quarkus.container-image.tag",
            "quarkus.package.jar.appcds.enabled",
            "quarkus.log.console.async",
            "quarkus.vertx.event-loops-pool-size",
            "quarkus.tls.*.trust-store.pem.certs");

    private ConfigKeys() {
    }

    /** Every key of the gateway's config mappings. */
    static Set<String> mapped() {
        Set<String> keys = new TreeSet<>();
        for (Class<?> mapping : List.of(MistralConfig.class, GatewayConfig.class)) {
            collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, keys);
        }
        return keys;
    }

    /**
     * Every runtime key of the Quarkus extensions on the class path, from the configuration model each extension ships
     * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}): the documents may name Quarkus' own keys, and
     * Quarkus itself says which exist.
     */
    static Set<String> quarkus() {
        Set<String> keys = new TreeSet<>();
        Pattern property = Pattern.compile("\"property\"\\s*:\\s*\"(quarkus\\.[^\"]+)\"");
        try {
            Enumeration<URL> models = ConfigKeys.class.getClassLoader()
                    .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json");
            while (models.hasMoreElements()) {
                try (InputStream in = models.nextElement().openStream()) {
                    Matcher found = property.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    while (found.find()) {
                        keys.add(normalize(found.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** Every key the gateway knows: mapped, set in application.properties, a documented or a Quarkus runtime key. */
    static Set<String> known() {
        Set<String> keys = new TreeSet<>(mapped());
        keys.addAll(QUARKUS_DOCUMENTED);
        keys.addAll(quarkus());
        try {
            for (String line : Files.readAllLines(PROPERTIES)) {
                if (!line.isBlank() && !line.startsWith("#") && line.contains("=")) {
                    keys.add(normalize(line.substring(0, line.indexOf('=')).strip().replaceFirst("^%[a-z]+\\.", "")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** A key as the documents write it, with map keys ({@code "<model>"}, {@code <name>}, {@code "x"}) as {@code *}. */
    static String normalize(String key) {
        return key.replaceAll("\"[^\"]*\"", "*").replaceAll("<[^>]*>", "*");
    }

    /**
     * Whether the documents may name {@code key}: a known key, a group of known keys ({@code mistral.prices}), or a
     * wildcard over them ({@code mistral.*}).
     */
    static boolean exists(String key, Set<String> known) {
        String written = normalize(key);
        String prefix = written.endsWith(".*") ? written.substring(0, written.length() - 1) : written + ".";
        return known.stream().anyMatch(k -> k.equals(written) || k.startsWith(prefix));
    }

    /** The environment variable of a key: upper case, every other character an underscore. */
    static String env(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Whether a variable is one of the gateway's configuration variables (as opposed to a script's). */
    static boolean looksLikeConfig(String variable) {
        return variable.matches("(MISTRAL|GATEWAY|QUARKUS)_[A-Z0-9_]+");
    }

    static boolean envExists(String variable, Set<String> known) {
        return known.stream().filter(k -> !k.contains("*")).anyMatch(k -> env(k).equals(variable));
    }

    private static void collect(String prefix, Class<?> group, Set<String> keys) {
        for (Method method : group.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String key = prefix + "." + kebab(method.getName());
            Type type = method.getGenericReturnType();
            if (method.getReturnType() == Map.class) {
                Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
                if (value instanceof Class<?> valueClass && isGroup(valueClass)) {
                    collect(key + ".*", valueClass, keys);
                } else {
                    keys.add(key + ".*");
                }
            } else if (isGroup(method.getReturnType())) {
                collect(key, method.getReturnType(), keys);
            } else {
                keys.add(key);
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("dev.mistralgateway.");
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
