package dev.keyring4j.systemdcreds;

import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
        SystemdCredsTool tool = new SystemdCredsTool(SystemdCredsTool.DEFAULT_COMMAND, SystemdCredsTool.DEFAULT_TIMEOUT);
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

    /** Temp file (0600) in the same directory, fsync, rename: a reader never sees half a credential. */
    private static void write(Path target, byte[] content) {
        Path dir = target.getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, ".keyring4j-provision-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new KeyringException("cannot write the encrypted credential to " + target + ": " + e.getClass().getSimpleName()
                    + " " + e.getMessage() + "; check that the directory exists and is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file holds only ciphertext
                }
            }
        }
    }
}
