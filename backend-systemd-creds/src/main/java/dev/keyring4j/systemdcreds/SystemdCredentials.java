package dev.keyring4j.systemdcreds;

import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.support.PrivateFile;
import dev.keyring4j.support.SystemdCredsRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Provisioning for the {@code systemd-creds} backend: which credential name a
 * {@code get(service, account)} reads, and how to produce that credential encrypted.
 *
 * <p>The name is {@code esc(service) + "." + esc(account)}, where {@code esc} keeps ASCII letters,
 * digits and {@code - _ @ + = , ~} and writes every other UTF-8 byte as {@code %XX} (uppercase
 * hex); an account spelled exactly {@code cred} is written {@code %63red} because {@code .cred}
 * marks encrypted files. The mapping is injective and its result is always a valid systemd
 * credential name (printable ASCII, no {@code /} or {@code :}, at most 255 bytes). In a unit file
 * {@code %} must be written {@code %%}; the lines returned here already are.
 */
public final class SystemdCredentials {
    private SystemdCredentials() {
    }

    /**
     * The systemd credential name {@code get(service, account)} reads, e.g. {@code github%2Ecom.alice}
     * for {@code ("github.com", "alice")}.
     *
     * @throws IllegalArgumentException when a name is empty or the result would exceed 255 bytes
     */
    public static String credentialName(String service, String account) {
        return CredentialName.of(service, account);
    }

    /**
     * Encrypts {@code secret} with {@code systemd-creds encrypt} (the machine's host key and/or
     * TPM2, as systemd-creds chooses) under the name {@link #credentialName} gives, and writes it
     * to {@code out} (mode 0600, replaced atomically if it exists). The secret reaches
     * {@code systemd-creds} through a pipe, never through its command line. Returns the line to add
     * to the service's unit, e.g.
     * {@code LoadCredentialEncrypted=github%%2Ecom.alice:/etc/credstore.encrypted/github.cred},
     * after which that service's {@code get("github.com", "alice")} returns the secret.
     *
     * @throws IllegalArgumentException when the names cannot be mapped (see {@link #credentialName})
     * @throws KeyringException when {@code systemd-creds} fails (its stderr is in the message) or
     *         {@code out} cannot be written
     */
    public static String provision(String service, String account, Secret secret, Path out) {
        String name = CredentialName.of(service, account);
        Objects.requireNonNull(secret, "secret");
        Path target = Objects.requireNonNull(out, "out").toAbsolutePath().normalize();
        if (target.getFileName() == null) throw new IllegalArgumentException("out must name a file, not " + out);
        SystemdCredsRunner tool = new SystemdCredsRunner(SystemdCredsRunner.PROGRAM, SystemdCredsRunner.DEFAULT_TIMEOUT,
                SystemdCredsRunner.Hints.SYSTEMD_CREDS);
        byte[] plaintext = secret.asBytes();
        byte[] ciphertext;
        try {
            ciphertext = tool.encrypt(name, plaintext, target.toString());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        write(target, ciphertext);
        return "LoadCredentialEncrypted=" + CredentialName.inUnitFile(name) + ":" + CredentialName.inUnitFile(target.toString());
    }

    /** The one atomic 0600 write (temp file, fsync, rename, fsync of the directory): a reader never sees half a credential. */
    private static void write(Path target, byte[] content) {
        try {
            PrivateFile.writeAtomically(target, content);
        } catch (IOException e) {
            throw new KeyringException("cannot write the encrypted credential to " + target + ": " + e.getClass().getSimpleName()
                    + " " + e.getMessage() + "; check that the directory exists and is writable", e);
        }
    }
}
