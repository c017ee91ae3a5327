package dev.keyring4j;

/**
 * Something went wrong in a credential store. Unchecked. The message says what happened, where,
 * and what to do, ends with a link to its section of {@code docs/troubleshooting.md}, and never
 * contains a secret.
 */
public class KeyringException extends RuntimeException {
    private static final String PAGE = "docs/troubleshooting.md#";
    private final String anchor;
    private final String reason;

    public KeyringException(String message) {
        this(message, null);
    }

    public KeyringException(String message, Throwable cause) {
        this("store-error", message, cause);
    }

    /** For subclasses: {@code anchor} names the section of {@code docs/troubleshooting.md}. */
    protected KeyringException(String anchor, String message, Throwable cause) {
        super(message + " (see " + PAGE + anchor + ")", cause);
        this.anchor = anchor;
        this.reason = message;
    }

    /** The section of {@code docs/troubleshooting.md} that explains this failure, e.g. {@code locked}. */
    public String troubleshootingAnchor() {
        return anchor;
    }

    /** The link alone, e.g. {@code docs/troubleshooting.md#locked}: the one {@link #getMessage()} ends with. */
    public String troubleshootingLink() {
        return PAGE + anchor;
    }

    /** What happened, where, and what to do: the message without its troubleshooting link, for code that shows it elsewhere. */
    public String reason() {
        return reason;
    }
}
