package dev.keyring4j;

/**
 * The name of a credential: a service and an account, both non-empty and at most
 * {@value #MAX_NAME_BYTES} bytes of UTF-8 each. Any Unicode is allowed here; a backend that cannot
 * hold a name faithfully refuses it with {@link IllegalArgumentException} before writing anything.
 */
public record CredentialId(String service, String account) {
    /**
     * The longest service or account name, in bytes of UTF-8, that any store accepts: far above any
     * host, URL or user name, and low enough that a name read from a hostile input (a 1 MB
     * {@code host=} line, say) is refused at once instead of travelling to a backend.
     */
    public static final int MAX_NAME_BYTES = 16 * 1024;

    public CredentialId {
        requireName("service", service);
        requireName("account", account);
    }

    /** Checks a service name as every store does before anything else: non-null and non-empty. */
    public static void requireService(String service) {
        requireName("service", service);
    }

    /** Checks both names as every store does before anything else (as constructing an id does, without one). */
    public static void requireNames(String service, String account) {
        requireName("service", service);
        requireName("account", account);
    }

    /** Checks one name the way every store does: non-null, non-empty, at most {@link #MAX_NAME_BYTES}. */
    static void requireName(String what, String value) {
        if (value == null) throw new NullPointerException(what);
        if (value.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        // UTF-8 takes at most 3 bytes per char: most names never need encoding to be measured
        if (value.length() > MAX_NAME_BYTES / 3 && utf8Length(value) > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_NAME_BYTES + " bytes of UTF-8, the limit of every store");
        }
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
