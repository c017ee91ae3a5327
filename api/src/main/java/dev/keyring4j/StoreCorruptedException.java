package dev.keyring4j;

/** The store was damaged or tampered with. Nothing is silently dropped and nothing is written over it. */
public class StoreCorruptedException extends KeyringException {
    public StoreCorruptedException(String message) {
        this(message, null);
    }

    public StoreCorruptedException(String message, Throwable cause) {
        super("corrupted", message, cause);
    }
}
