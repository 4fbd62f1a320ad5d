package dev.mistralgateway.mistral;

import java.util.function.UnaryOperator;

/**
 * Mistral's rate-limit headers of one answer, -1 for each one it did not send (or sent malformed). Mistral has sent
 * {@code x-ratelimit-{limit,remaining}-{req,tokens}-minute} and, earlier, {@code ratelimitbysize-{limit,remaining}}
 * (tokens per minute): both generations are read, the newer first.
 */
record RateLimitHeaders(long remainingRequests, long limitRequests, long remainingTokens, long limitTokens) {

    /** {@code header} looks a header up by name, case-insensitively, null when absent. */
    static RateLimitHeaders read(UnaryOperator<String> header) {
        return new RateLimitHeaders(number(header.apply("x-ratelimit-remaining-req-minute")),
                number(header.apply("x-ratelimit-limit-req-minute")),
                number(first(header.apply("x-ratelimit-remaining-tokens-minute"), header.apply("ratelimitbysize-remaining"))),
                number(first(header.apply("x-ratelimit-limit-tokens-minute"), header.apply("ratelimitbysize-limit"))));
    }

    boolean any() {
        return remainingRequests >= 0 || limitRequests >= 0 || remainingTokens >= 0 || limitTokens >= 0;
    }

    private static String first(String preferred, String older) {
        return preferred != null ? preferred : older;
    }

    private static long number(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(header.strip()));
        } catch (NumberFormatException malformed) {
            return -1;
        }
    }
}
