package dev.mistralgateway.api;

/**
 * One entry of the {@link RouteTable}: a canonical path, the endpoint name it is counted and logged under, whether it
 * is open to callers without a gateway key, and which body limit applies to it.
 */
public record Route(String path, String endpoint, boolean isPublic, Body body) {

    /** Every path the table does not list: protected, counted and logged as {@value #OTHER}. */
    public static final String OTHER = "other";

    /** Which size limit a route's request bodies have (see {@link BodySizeLimit}). */
    public enum Body {
        /** A JSON body, read whole: {@code quarkus.http.limits.max-body-size}. */
        JSON,
        /** An upload streamed to Mistral as it arrives: {@code gateway.transcription.max-upload-size}. */
        UPLOAD
    }

    /** A route whose bodies are JSON. */
    public Route(String path, String endpoint, boolean isPublic) {
        this(path, endpoint, isPublic, Body.JSON);
    }

    static Route unknown() {
        return new Route(null, OTHER, false);
    }

    /** A path the gateway does not serve (the router answers 404 once the caller has shown a key). */
    public boolean isUnknown() {
        return path == null;
    }
}
