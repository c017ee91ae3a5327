package dev.keyring4j;

/** The store is full for this user (for example the kernel's key quota). */
public class QuotaExceededException extends KeyringException {
    public QuotaExceededException(String message) {
        this(message, null);
    }

    public QuotaExceededException(String message, Throwable cause) {
        super("quota", message, cause);
    }
}
