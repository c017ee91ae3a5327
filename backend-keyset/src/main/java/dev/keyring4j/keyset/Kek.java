package dev.keyring4j.keyset;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The key-encryption key and its check value, both derived with HKDF-SHA256 from the 32-byte
 * master secret a protection yields (Argon2id output, a systemd-creds sealed secret, or the key
 * file). The check value is what lets a wrong passphrase be told apart from a damaged keyset.
 */
public final class Kek {
    /** The length of a master secret. */
    public static final int MASTER_BYTES = 32;
    private static final byte[] KEK_INFO = "keyring4j kek/1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECK_INFO = "keyring4j check/1".getBytes(StandardCharsets.US_ASCII);

    private final Aead aead;
    private final byte[] check;

    private Kek(Aead aead, byte[] check) {
        this.aead = aead;
        this.check = check;
    }

    /** Derives the KEK for the file {@code fileId}; the caller wipes {@code master}. */
    public static Kek derive(byte[] master, byte[] fileId) {
        byte[] key = null;
        try {
            key = Hkdf.computeHkdf("HMACSHA256", master, fileId, KEK_INFO, 32);
            byte[] check = Hkdf.computeHkdf("HMACSHA256", master, fileId, CHECK_INFO, 32);
            return new Kek(new AesGcmJce(key), check);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink HKDF failed", e);
        } finally {
            Keys.wipe(key);
        }
    }

    /** The check value stored beside the keyset. */
    public byte[] check() {
        return check.clone();
    }

    /** Whether {@code storedCheck} is this KEK's check value (constant time). */
    public boolean matches(byte[] storedCheck) {
        return MessageDigest.isEqual(check, storedCheck);
    }

    /** The keyset encrypted under this KEK, with the file's header as associated data. */
    public byte[] seal(Keys keys, byte[] header) {
        byte[] plain = keys.serialize();
        try {
            return aead.encrypt(plain, header);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink AEAD failed", e);
        } finally {
            Keys.wipe(plain);
        }
    }

    /** The keyset sealed by {@link #seal}; fails when it was not sealed by this KEK under {@code header}. */
    public Keys open(byte[] sealed, byte[] header) throws GeneralSecurityException {
        byte[] plain = aead.decrypt(sealed, header);
        try {
            return Keys.parse(plain);
        } finally {
            Keys.wipe(plain);
        }
    }

    @Override
    public String toString() {
        return "Kek[redacted]";
    }
}
