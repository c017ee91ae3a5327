package dev.keyring4j.keyset;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.support.SystemdCredsRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The master secret is random and sealed with {@code systemd-creds encrypt} (this host's
 * credential secret, and the TPM2 when there is one), under the credential name
 * {@code keyring4j-<fileId>} so that it only unseals for this file.
 */
public final class SystemdCredsProtection implements KeysetProtection {
    /** What unsealing may print: the sealed secret is 32 bytes; more is not ours. */
    private static final int MAX_UNSEALED = 1 << 20;
    private final ProtectionSettings settings;

    /** The systemd-creds protection of the store {@code settings} describes. */
    public SystemdCredsProtection(ProtectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public ProtectionKind kind() {
        return ProtectionKind.SYSTEMD_CREDS;
    }

    private SystemdCredsRunner runner() {
        Path p = SystemdCredsRunner.find(settings.env());
        if (p == null) {
            throw new BackendUnavailableException(settings.where()
                    + " uses systemd-creds protection, but systemd-creds is not installed (Debian: apt install systemd)");
        }
        // only the time limit is the backend's to configure: the program is found on PATH, the key is 32 bytes
        return new SystemdCredsRunner(p.toString(), settings.unsealTimeout(), new SystemdCredsRunner.Hints(null, settings.unsealTimeoutKey(), null));
    }

    @Override
    public Created create(byte[] fileId) {
        SystemdCredsRunner runner = runner();
        String where = settings.where();
        byte[] master = Random.randBytes(Kek.MASTER_BYTES);
        Header h = new Header(fileId, ProtectionKind.SYSTEMD_CREDS, null, null, null, "-");
        String sealed;
        byte[] back;
        try {
            byte[] out = runner.encrypt(h.credentialName(), master, where);
            sealed = new String(out, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
            // prove it unseals before a store depends on it
            back = runner.decrypt(h.credentialName(), sealed.getBytes(StandardCharsets.US_ASCII), MAX_UNSEALED, where);
        } catch (KeyringException e) {
            Keys.wipe(master);
            throw new BackendUnavailableException(cannotSeal(e.reason()), e);
        }
        boolean same = MessageDigest.isEqual(master, back);
        Keys.wipe(back);
        if (!same) {
            Keys.wipe(master);
            throw new BackendUnavailableException(cannotSeal("systemd-creds did not return the sealed key"));
        }
        return new Created(new Header(fileId, ProtectionKind.SYSTEMD_CREDS, null, null, null, sealed), master);
    }

    @Override
    public byte[] unlock(Header header) {
        String store = settings.where();
        SystemdCredsRunner runner = runner();
        byte[] master;
        try {
            master = runner.decrypt(header.credentialName(), header.sealed().getBytes(StandardCharsets.US_ASCII), MAX_UNSEALED, store);
        } catch (KeyringException e) {
            throw cannotUnseal(store, e.reason(), e);
        }
        if (master.length == Kek.MASTER_BYTES) return master;
        Keys.wipe(master);
        throw cannotUnseal(store, "the unsealed key has the wrong length", null);
    }

    private String cannotSeal(String why) {
        return "cannot seal the key of " + settings.where() + " with systemd-creds: " + why;
    }

    private static LockedException cannotUnseal(String store, String why, Throwable cause) {
        return new LockedException("systemd-creds cannot unseal the key of " + store + ": " + why
                + ". The store opens only on the machine (host key /var/lib/systemd/credential.secret, TPM2) that sealed it,"
                + " as a user allowed to use that key", cause);
    }

    /** A fresh random secret, sealed anew (under the credential name of {@code fileId}). */
    @Override
    public Optional<Created> renew(Header current, byte[] fileId) {
        return Optional.of(create(fileId));
    }

    @Override
    public Optional<KeyringException> wrongKey(Header header) {
        return Optional.empty(); // systemd-creds authenticates what it unseals: a mismatch is tampering
    }

    @Override
    public String describe() {
        return "systemd-creds (key sealed to this host's credential secret or TPM2)";
    }
}
