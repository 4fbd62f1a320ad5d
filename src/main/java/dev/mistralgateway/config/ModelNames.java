package dev.mistralgateway.config;

/** Rules about Mistral model ids shared by config validation and request validation. */
public final class ModelNames {

    private ModelNames() {
    }

    /** A {@code -latest} alias moves to a new model without notice; so they are allowed only on purpose (mistral.allow-latest-aliases). */
    public static boolean isLatestAlias(String model) {
        return model.endsWith("-latest");
    }
}
