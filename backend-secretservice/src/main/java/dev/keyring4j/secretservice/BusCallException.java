package dev.keyring4j.secretservice;

/** A D-Bus call that did not return normally: an error reply, no reply in time, or no connection. Never carries a secret. */
final class BusCallException extends RuntimeException {
    enum Kind { ERROR_REPLY, TIMEOUT, DISCONNECTED }

    private final Kind kind;
    private final String errorName;

    BusCallException(Kind kind, String errorName, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errorName = errorName;
    }

    Kind kind() {
        return kind;
    }

    /** The D-Bus error name of an error reply, e.g. {@code org.freedesktop.Secret.Error.IsLocked}; null otherwise. */
    String errorName() {
        return errorName;
    }

    boolean isError(String name) {
        return kind == Kind.ERROR_REPLY && name.equals(errorName);
    }

    /**
     * Connecting failed because nothing listens on the bus's socket (ECONNREFUSED: a socket file
     * left behind by a bus that exited) or the socket file is gone: proof that there is no bus.
     */
    boolean refused() {
        if (kind != Kind.DISCONNECTED) return false;
        for (Throwable t = getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.nio.file.NoSuchFileException) return true;
            String m = t.getMessage();
            if (m != null && (m.contains("Connection refused") || m.contains("No such file or directory"))) return true;
        }
        return false;
    }

    /** The provider went away or was replaced: the session and object paths we hold may be stale. */
    boolean providerGone() {
        if (kind == Kind.DISCONNECTED) return true;
        if (kind != Kind.ERROR_REPLY || errorName == null) return false;
        return switch (errorName) {
            case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
                 "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Disconnected",
                 "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
                 "org.freedesktop.Secret.Error.NoSession", "org.freedesktop.Secret.Error.NoSuchObject" -> true;
            default -> false;
        };
    }
}
