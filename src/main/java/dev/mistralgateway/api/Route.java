package dev.mistralgateway.api;

/**
 * One entry of the {@link RouteTable}: a canonical path, the endpoint name it is counted and logged under, and
 * whether it is open to callers without a gateway key.
 */
public record Route(String path, String endpoint, boolean isPublic) {

    /** Every path the table does not list: protected, counted and logged as {@value #OTHER}. */
    public static final String OTHER = "other";

    static Route unknown() {
        return new Route(null, OTHER, false);
    }

    /** A path the gateway does not serve (the router answers 404 once the caller has shown a key). */
    public boolean isUnknown() {
        return path == null;
    }
}
