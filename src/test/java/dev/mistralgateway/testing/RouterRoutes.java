package dev.mistralgateway.testing;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import io.quarkus.arc.Arc;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * The paths the running application serves on its API port, as the application itself has them: the Vert.x routes
 * registered on the main router and the JAX-RS resource methods among the CDI beans. Nothing is listed by hand, so a
 * route added later is in the list without anyone adding it.
 */
@ApplicationScoped
public class RouterRoutes {

    private static volatile Router router;

    void capture(@Observes Router mainRouter) {
        router = mainRouter;
    }

    public static Set<String> paths() {
        Set<String> paths = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null) {
                paths.add(route.getPath());
            }
        }
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class)) {
            Path root = bean.getBeanClass().getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method method : bean.getBeanClass().getDeclaredMethods()) {
                if (isResourceMethod(method)) {
                    Path sub = method.getAnnotation(Path.class);
                    paths.add(join(root.value(), sub == null ? "" : sub.value()));
                }
            }
        }
        return paths;
    }

    private static boolean isResourceMethod(Method method) {
        List<Class<?>> annotations = new ArrayList<>();
        for (var annotation : method.getAnnotations()) {
            annotations.add(annotation.annotationType());
        }
        return annotations.stream().anyMatch(type -> type.isAnnotationPresent(HttpMethod.class))
                || method.isAnnotationPresent(Path.class);
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
