package dev.mistralgateway.api;

/**
 * Strict UTF-8 (RFC 3629, Unicode's table 3-7), which Jackson's parser is not: it turns the overlong {@code C0 80}
 * into {@code \u0000} and {@code F4 90 80 80} (past U+10FFFF) into two lone surrogates, and the gateway forwarded
 * both. A body must be what its client meant, byte for byte, before it is read.
 */
final class Utf8 {

    private Utf8() {
    }

    /** The offset of the first byte that is not well-formed UTF-8 in {@code bytes}, or -1 when all are. */
    static int firstInvalid(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int lowest = 0x80;
            int highest = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                lowest = b == 0xE0 ? 0xA0 : 0x80;
                highest = b == 0xED ? 0x9F : 0xBF;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                lowest = b == 0xF0 ? 0x90 : 0x80;
                highest = b == 0xF4 ? 0x8F : 0xBF;
            } else {
                return i;
            }
            if (i + length > n) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < lowest || second > highest) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
