package dev.mistralgateway.config;

/** Rules about Mistral model ids shared by config validation and request validation. */
public final class ModelNames {

    private ModelNames() {
    }

    /** A {@code -latest} alias moves to a new model without notice; the checklist wants them used only on purpose. */
    public static boolean isLatestAlias(String model) {
        return model.endsWith("-latest");
    }
}
