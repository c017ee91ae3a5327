package dev.keyring4j;

import java.util.Objects;

/**
 * What {@link CredentialStore#watch} tells a listener: which credential, and what happened to it.
 * It never carries the secret: a listener that needs the value reads it (or uses
 * {@link Keyring#current}, which does).
 *
 * @param id   the credential watched
 * @param kind what happened
 */
public record CredentialEvent(CredentialId id, Kind kind) {

    /** What happened to a watched credential. */
    public enum Kind {
        /** It exists now and did not before. */
        CREATED,
        /** It existed and now holds another value. */
        CHANGED,
        /** It existed and does not now (deleted, expired or revoked). */
        DELETED,
        /**
         * Events may have been missed (the backend restarted, the connection was lost, a queue
         * overflowed): re-read the credential. Watching continues.
         */
        RESYNC
    }

    public CredentialEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
    }
}
