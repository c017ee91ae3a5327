package dev.keyring4j;

/**
 * Something went wrong in a credential store. Unchecked. The message says what happened, where,
 * and what to do, ends with a link to its section of {@code docs/troubleshooting.md}, and never
 * contains a secret.
 */
public class KeyringException extends RuntimeException {
    private final String anchor;

    public KeyringException(String message) {
        this(message, null);
    }

    public KeyringException(String message, Throwable cause) {
        this("store-error", message, cause);
    }

    /** For subclasses: {@code anchor} names the section of {@code docs/troubleshooting.md}. */
    protected KeyringException(String anchor, String message, Throwable cause) {
        super(message + " (see docs/troubleshooting.md#" + anchor + ")", cause);
        this.anchor = anchor;
    }

    /** The section of {@code docs/troubleshooting.md} that explains this failure, e.g. {@code locked}. */
    public String troubleshootingAnchor() {
        return anchor;
    }
}
