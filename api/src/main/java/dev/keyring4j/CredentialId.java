package dev.keyring4j;

/**
 * The name of a credential: a service and an account, both non-empty. Any Unicode is allowed
 * here; a backend that cannot hold a name faithfully refuses it with
 * {@link IllegalArgumentException} before writing anything.
 */
public record CredentialId(String service, String account) {
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

    /** Checks one name the way every store does: non-null and non-empty. */
    static void requireName(String what, String value) {
        if (value == null) throw new NullPointerException(what);
        if (value.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
    }
}
