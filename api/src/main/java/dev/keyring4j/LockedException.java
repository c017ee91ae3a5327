package dev.keyring4j;

/** The store exists but is locked, and unlocking needs something the library may not do by itself (a prompt, a passphrase). */
public class LockedException extends KeyringException {
    public LockedException(String message) {
        this(message, null);
    }

    public LockedException(String message, Throwable cause) {
        super("locked", message, cause);
    }
}
