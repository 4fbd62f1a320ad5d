package dev.mistralgateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The client keys the gateway accepts, held only as SHA-256 digests. A presented key is hashed and compared with
 * every entry in constant time, so neither the outcome's timing nor an early exit tells how close a guess came.
 */
public final class ApiKeys {

    /** One accepted key: its name (the caller's identity in logs and metrics) and its digest. */
    record Entry(String name, byte[] digest) {
    }

    private static final String HASHED = "sha256:";
    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads {@code name=key}, {@code name=sha256:<hex>} or bare {@code key} entries. Errors name the entry by its
     * position, never by its text, which may be a key.
     */
    public static ApiKeys parse(List<String> configured) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            String entry = configured.get(i).strip();
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            String name = equals > 0 ? entry.substring(0, equals).strip() : null;
            String secret = equals > 0 ? entry.substring(equals + 1).strip() : entry;
            byte[] digest;
            if (secret.startsWith(HASHED)) {
                try {
                    digest = HexFormat.of().parseHex(secret.substring(HASHED.length()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("gateway.api-keys entry " + (i + 1) + ": the sha256 digest is not hex");
                }
                if (digest.length != 32) {
                    throw new IllegalArgumentException("gateway.api-keys entry " + (i + 1) + ": a sha256 digest has 64 hex digits");
                }
            } else {
                if (secret.length() < 16) {
                    throw new IllegalArgumentException("gateway.api-keys entry " + (i + 1) + ": keys need at least 16 characters");
                }
                digest = sha256(secret);
            }
            if (name == null || name.isEmpty()) {
                name = "key-" + HexFormat.of().formatHex(digest, 0, 4);
            }
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("gateway.api-keys entry " + (i + 1)
                        + ": names are 1-64 letters, digits, '.', '_' or '-'");
            }
            entries.add(new Entry(name, digest));
        }
        return new ApiKeys(entries);
    }

    /** The keys' names, in their configured order: a caller's identity, never a secret. */
    public List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    /**
     * The key a setting names ({@code gateway.keys."<name>"...}): the key of that name, else the one key whose name
     * matches it with '.', '_' and '-' alike and case ignored, since an environment variable can carry neither '-'
     * nor case ({@code GATEWAY_KEYS__TEAM_A__BUDGET_DAILY_USD} reaches the gateway as key {@code team.a}).
     */
    public Optional<String> resolve(String configured) {
        List<String> names = names();
        if (names.contains(configured)) {
            return Optional.of(configured);
        }
        List<String> alike = names.stream().filter(name -> loose(name).equals(loose(configured))).toList();
        return alike.size() == 1 ? Optional.of(alike.get(0)) : Optional.empty();
    }

    private static String loose(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[._-]", ".");
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The name of the key, if it is one of ours. Examines every entry whatever the outcome. */
    public Optional<String> authenticate(String presented) {
        byte[] digest = sha256(presented);
        String match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest) && match == null) {
                match = entry.name();
            }
        }
        return Optional.ofNullable(match);
    }

    /** The digest a {@code name=sha256:<hex>} entry holds for a key. */
    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
