package dev.mistralgateway.packaging;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What the Kubernetes API server checks on an object that reading it into the fabric8 model does not: unknown
 * fields (strict field validation; fabric8 keeps them aside instead of failing), a string where the schema wants a
 * number or a boolean (Jackson quietly converts {@code "2"} to 2, the API server refuses it), and the int-or-string
 * rule: a string in a count field such as {@code maxSurge} must be a percentage ({@code "25%"}), and a string in a
 * port field a named port (IANA service name).
 */
final class ApiServerRules {

    private static final Pattern PERCENT = Pattern.compile("[0-9]+%");
    private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    private ApiServerRules() {
    }

    /** Every violation in {@code typed}, read from {@code raw}, with its path; empty when the API server would accept it. */
    static List<String> violations(HasMetadata typed, JsonNode raw) {
        List<String> found = new ArrayList<>();
        compareTypes(raw, Serialization.jsonMapper().valueToTree(typed), typed.getKind(), found);
        walk(typed, typed.getKind(), found);
        return found;
    }

    /** The YAML as written against the model written back: any change of JSON type was a conversion. */
    private static void compareTypes(JsonNode raw, JsonNode model, String path, List<String> found) {
        if (model == null || model.isNull()) {
            return;
        }
        if (raw.isObject() && model.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = raw.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                compareTypes(field.getValue(), model.get(field.getKey()), path + "." + field.getKey(), found);
            }
        } else if (raw.isArray() && model.isArray()) {
            for (int i = 0; i < Math.min(raw.size(), model.size()); i++) {
                compareTypes(raw.get(i), model.get(i), path + "[" + i + "]", found);
            }
        } else if (raw.getNodeType() != model.getNodeType() && !(raw.isNumber() && model.isNumber())) {
            found.add(path + ": " + raw.getNodeType().name().toLowerCase() + " " + raw + " where the schema wants a "
                    + model.getNodeType().name().toLowerCase());
        }
    }

    /** Unknown fields and int-or-string values, anywhere in the object graph. */
    private static void walk(Object value, String path, List<String> found) {
        if (value instanceof IntOrString intOrString) {
            String text = intOrString.getStrVal();
            boolean port = path.toLowerCase().endsWith("port");
            if (text != null && !(port ? PORT_NAME : PERCENT).matcher(text).matches()) {
                found.add(path + ": \"" + text + "\" is a string, so it must be "
                        + (port ? "a port name (IANA_SVC_NAME)" : "a percentage: a numeric string followed by '%'"));
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "." + key, found));
        } else if (value != null && value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            for (Method getter : value.getClass().getMethods()) {
                if (getter.getParameterCount() == 0 && getter.getName().startsWith("get")
                        && !Modifier.isStatic(getter.getModifiers()) && getter.getDeclaringClass() != Object.class) {
                    Object property = invoke(getter, value);
                    String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                    if (name.equals("additionalProperties") && property instanceof Map<?, ?> unknown) {
                        if (!unknown.isEmpty()) {
                            found.add(path + ": unknown field(s) " + unknown.keySet());
                        }
                    } else {
                        walk(property, path + "." + name, found);
                    }
                }
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Reading " + getter, e);
        }
    }
}
