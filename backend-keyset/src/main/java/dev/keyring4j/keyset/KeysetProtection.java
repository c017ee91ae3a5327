package dev.keyring4j.keyset;

import dev.keyring4j.KeyringException;
import java.util.Optional;

/**
 * How the keyset's 32-byte master secret is kept: derived from a passphrase, sealed by
 * systemd-creds, or read from a key file. The KEK and the check value are derived from the master
 * secret the same way for all three ({@link Kek}).
 */
public interface KeysetProtection {

    /** A new store's protection: the header without its check value, and the master secret (the caller wipes it). */
    public record Created(Header header, byte[] master) {
    }

    /** Which protection this is. */
    ProtectionKind kind();

    /** Protects a store that is being created. */
    Created create(byte[] fileId);

    /**
     * The master secret of an existing store (the caller wipes it). Throws
     * {@link dev.keyring4j.LockedException} when what unlocks it is not available here.
     */
    byte[] unlock(Header header);

    /**
     * A new master secret for a rotation ({@code fileId} is the store's) or a rekey (a new
     * {@code fileId}), so that what opened {@code current} (an old key file, an old sealed key)
     * opens nothing written after it; the caller wipes it. Empty when the master secret is the
     * user's passphrase and stays (a rotation of a passphrase store; changing it is
     * the backend's passphrase change). What the new secret needs outside the store
     * file (a key file) is staged so that the old one keeps working until {@link #committed}.
     */
    Optional<Created> renew(Header current, byte[] fileId);

    /** Called once the store file under {@code now} is in place: makes staged key material final and drops the old. */
    default void committed(Header old, Header now) throws java.io.IOException {
    }

    /**
     * The exception for a master secret whose check value does not match the file's, when that
     * means "the wrong key" (a wrong passphrase, another store's key file); empty when it can only
     * mean damage or tampering.
     */
    Optional<KeyringException> wrongKey(Header header);

    /** A short description for diagnose() and toString(): never secret. */
    String describe();

    /** The protection {@code kind} for a store configured by {@code settings}. */
    static KeysetProtection of(ProtectionKind kind, ProtectionSettings settings) {
        return switch (kind) {
            case PASSPHRASE -> new PassphraseProtection(settings);
            case SYSTEMD_CREDS -> new SystemdCredsProtection(settings);
            case KEYFILE -> new KeyfileProtection(settings);
        };
    }
}
