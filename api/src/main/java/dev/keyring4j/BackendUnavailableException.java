package dev.keyring4j;

/** A backend cannot be used here: not installed, not reachable, not configured, or refused by configuration. */
public class BackendUnavailableException extends KeyringException {
    public BackendUnavailableException(String message) {
        this(message, null);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super("unavailable", message, cause);
    }
}
