package dev.keyring4j;

/** A write or delete was sent to a store that only reads (environment variables, systemd credentials). */
public class ReadOnlyStoreException extends KeyringException {
    public ReadOnlyStoreException(String message) {
        this(message, null);
    }

    public ReadOnlyStoreException(String message, Throwable cause) {
        super("read-only", message, cause);
    }
}
