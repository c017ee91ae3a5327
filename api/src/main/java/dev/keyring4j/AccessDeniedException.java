package dev.keyring4j;

/** The store refused access (permissions, policy). Never reported as "absent". */
public class AccessDeniedException extends KeyringException {
    public AccessDeniedException(String message) {
        this(message, null);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super("access-denied", message, cause);
    }
}
