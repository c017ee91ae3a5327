package dev.keyring4j.internal;

import java.io.IOException;

/**
 * An input {@link BoundedInput} refused or could not read. The message names the source, the
 * problem and the limit, and never holds a byte of the input; callers wrap it in their domain
 * exception (a configuration file's in {@code ConfigurationException}, a backend's in
 * {@code KeyringException} or a subclass). Not API: exported only to keyring4j's own modules.
 */
public final class RejectedInputException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the input was refused: callers decide per problem (an absent optional file is no error). */
    public enum Problem {
        /** Nothing at the path. */
        MISSING,
        /** This process may not read it. */
        DENIED,
        /** A directory, FIFO, socket, device or symbolic link (where links are not followed), or a link loop. */
        NOT_A_FILE,
        /** Longer than the limit. */
        TOO_LARGE,
        /** The file was replaced between its check and its read. */
        REPLACED,
        /** Any other I/O error. */
        IO
    }

    private final Problem problem;
    private final String reason;

    RejectedInputException(Problem problem, String source, String reason, Throwable cause) {
        super(source + " " + reason, cause);
        this.problem = problem;
        this.reason = reason;
    }

    public Problem problem() {
        return problem;
    }

    /** The message without the source in front of it (e.g. "is a FIFO, not a regular file; the limit is …"). */
    public String reason() {
        return reason;
    }
}
