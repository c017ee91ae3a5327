package dev.keyring4j.encryptedfile;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The master secret is random and sealed with {@code systemd-creds encrypt} (this host's
 * credential secret, and the TPM2 when there is one), under the credential name
 * {@code keyring4j-<fileId>} so that it only unseals for this file.
 */
final class SystemdCredsProtection implements KeysetProtection {
    private final StoreSettings settings;

    SystemdCredsProtection(StoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public ProtectionKind kind() {
        return ProtectionKind.SYSTEMD_CREDS;
    }

    private Path program() {
        Path p = SystemdCreds.find(settings.env());
        if (p == null) {
            throw new BackendUnavailableException("encrypted file store " + settings.path()
                    + " uses systemd-creds protection, but systemd-creds is not installed (Debian: apt install systemd)");
        }
        return p;
    }

    @Override
    public Created create(byte[] fileId) {
        Path program = program();
        byte[] master = Random.randBytes(Kek.MASTER_BYTES);
        Header h = new Header(fileId, ProtectionKind.SYSTEMD_CREDS, null, null, null, "-");
        try {
            byte[] out = SystemdCreds.encrypt(program, h.credentialName(), master, settings.unsealTimeout());
            String sealed = new String(out, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
            // prove it unseals before a store depends on it
            byte[] back = SystemdCreds.decrypt(program, h.credentialName(), sealed.getBytes(StandardCharsets.US_ASCII), settings.unsealTimeout());
            boolean same = MessageDigest.isEqual(master, back);
            Keys.wipe(back);
            if (!same) throw new SystemdCreds.Failure("systemd-creds did not return the sealed key");
            return new Created(new Header(fileId, ProtectionKind.SYSTEMD_CREDS, null, null, null, sealed), master);
        } catch (SystemdCreds.Failure e) {
            Keys.wipe(master);
            throw new BackendUnavailableException("cannot seal the key of encrypted file store " + settings.path()
                    + " with systemd-creds: " + e.getMessage());
        }
    }

    @Override
    public byte[] unlock(Header header, Path store) {
        try {
            byte[] master = SystemdCreds.decrypt(program(), header.credentialName(),
                    header.sealed().getBytes(StandardCharsets.US_ASCII), settings.unsealTimeout());
            if (master.length != Kek.MASTER_BYTES) {
                Keys.wipe(master);
                throw new SystemdCreds.Failure("the unsealed key has the wrong length");
            }
            return master;
        } catch (SystemdCreds.Failure e) {
            throw new LockedException("systemd-creds cannot unseal the key of encrypted file store " + store + ": " + e.getMessage()
                    + ". The store opens only on the machine (host key /var/lib/systemd/credential.secret, TPM2) that sealed it,"
                    + " as a user allowed to use that key");
        }
    }

    /** A fresh random secret, sealed anew (under the credential name of {@code fileId}). */
    @Override
    public Optional<Created> renew(Header current, byte[] fileId) {
        return Optional.of(create(fileId));
    }

    @Override
    public Optional<KeyringException> wrongKey(Header header, Path store) {
        return Optional.empty(); // systemd-creds authenticates what it unseals: a mismatch is tampering
    }

    @Override
    public String describe() {
        return "systemd-creds (key sealed to this host's credential secret or TPM2)";
    }
}
