package dev.mistralgateway.api;

/**
 * Decides whether a request path is in the one form the gateway matches. The router would normalise dot segments,
 * double slashes and percent-encoded unreserved characters, and JAX-RS drops matrix parameters, so a filter comparing
 * the raw path would see another path than the handler serves. Rather than normalise a second time (and differ from
 * the router in some corner), such paths are refused with 400: no client needs them.
 */
final class CanonicalPath {

    private CanonicalPath() {
    }

    /** Why {@code path} (the raw path of the request line, without query) is not canonical, or null when it is. */
    static String problem(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return "it does not start with '/'";
        }
        if (path.contains("//")) {
            return "it has an empty segment ('//')";
        }
        if (path.indexOf(';') >= 0) {
            return "it has a matrix parameter (';')";
        }
        if (path.indexOf('\\') >= 0) {
            return "it has a backslash";
        }
        // Segment by segment without copying them: this runs for every request.
        for (int start = 1; start <= path.length();) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int dots = end - start;
            if ((dots == 1 || dots == 2) && path.charAt(start) == '.' && path.charAt(end - 1) == '.') {
                return "it has a dot segment ('" + path.substring(start, end) + "')";
            }
            start = end + 1;
        }
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            int high = i + 2 < path.length() ? hex(path.charAt(i + 1)) : -1;
            int low = high >= 0 ? hex(path.charAt(i + 2)) : -1;
            if (low < 0) {
                return "it has a malformed percent-encoding";
            }
            char decoded = (char) (high * 16 + low);
            if (isUnreserved(decoded) || decoded == '/' || decoded == '\\' || decoded == '%' || decoded == ';') {
                return "it percent-encodes a character that must be sent as is or not at all ('%"
                        + path.substring(i + 1, i + 3) + "')";
            }
        }
        return null;
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
