package dev.keyring4j;

/**
 * What a store can do.
 *
 * @param writable        {@code set} and {@code delete} work (read-only stores throw {@link ReadOnlyStoreException})
 * @param persistent      what is written survives a reboot
 * @param encryptedAtRest what is persisted is encrypted
 * @param expiry          {@code set(…, ttl)} is honoured natively
 * @param listable        {@code list} enumerates what the store holds
 */
public record Capabilities(boolean writable, boolean persistent, boolean encryptedAtRest, boolean expiry, boolean listable) {

    /** A compact human-readable form, e.g. {@code writable persistent encrypted listable}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(writable ? "writable" : "read-only");
        b.append(persistent ? " persistent" : " not-persistent");
        if (encryptedAtRest) b.append(" encrypted");
        if (expiry) b.append(" expiry");
        if (listable) b.append(" listable");
        return b.toString();
    }
}
