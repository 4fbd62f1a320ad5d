package dev.mistralgateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Test;

/**
 * Labels the alert rules match do not depend on the JVM's locale: in Turkish, "RATE_LIMITED".toLowerCase() is
 * "rate_lımıted" (dotless i), and {@code reason="rate_limited"} would never match again.
 */
class LocaleSafeLabelsTest {

    @Test
    void reasonLabelsAreTheSameUnderATurkishDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertEquals("rate_limited", ErrorReason.RATE_LIMITED.label());
            for (ErrorReason reason : ErrorReason.values()) {
                assertTrue(reason.label().matches("[a-z_]+"), reason.label());
            }
        } finally {
            Locale.setDefault(before);
        }
    }
}
