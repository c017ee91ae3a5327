package dev.keyring4j;

/**
 * A configuration mistake: an unknown key or backend id, a malformed value, a configuration file
 * that was named but is missing or unreadable, a backend named twice in a chain. Raised before any
 * store is opened, so nothing was read or written; the message names the key or file and where it
 * was set, never the value (which may be sensitive).
 */
public class ConfigurationException extends KeyringException {
    public ConfigurationException(String message) {
        this(message, null);
    }

    public ConfigurationException(String message, Throwable cause) {
        super("configuration", message, cause);
    }
}
