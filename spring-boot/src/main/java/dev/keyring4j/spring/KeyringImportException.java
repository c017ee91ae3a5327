package dev.keyring4j.spring;

import org.springframework.boot.context.config.ConfigDataException;

/**
 * A {@code keyring4j:} import that fails startup: the location as written, then keyring4j's own
 * message (its cause, kept, never swallowed) or what is missing. Never carries a secret.
 */
final class KeyringImportException extends ConfigDataException {
    private static final long serialVersionUID = 1L;
    private final String location;

    KeyringImportException(String location, String reason, Throwable cause) {
        super("spring.config.import location '" + location + "' failed: " + reason, cause);
        this.location = location;
    }

    /** The location as written in {@code spring.config.import}, {@code optional:} included. */
    String location() {
        return location;
    }
}
