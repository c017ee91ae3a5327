package dev.keyring4j.systemdcreds;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only half of the contract over a real {@code $CREDENTIALS_DIRECTORY}: every credential
 * the contract provisions is written as a plain file under the name {@link SystemdCredentials#credentialName}
 * gives, and read back through the store, so names round-trip through the mapping into real files.
 */
class SystemdCredentialStoreContractTest extends CredentialStoreContract {
    @TempDir
    Path tmp;
    private final AtomicInteger dirs = new AtomicInteger();

    @Override
    protected CredentialStore openStore() {
        return CredentialFiles.open(CredentialFiles.dir(tmp, "empty-" + dirs.incrementAndGet()));
    }

    @Override
    protected CredentialStore openStoreHolding(Map<CredentialId, byte[]> credentials) {
        Path dir = CredentialFiles.dir(tmp, "creds-" + dirs.incrementAndGet());
        credentials.forEach((id, v) -> CredentialFiles.write(dir, SystemdCredentials.credentialName(id.service(), id.account()), v));
        return CredentialFiles.open(dir);
    }

    /**
     * Beside the credentials, files get refuses: {@code db.zero -> /dev/zero}, a FIFO, a dangling
     * link, a link to a directory, a group-writable file, a file over the 1 MiB limit, and a
     * service credential whose {@code .id} is a link to /dev/zero.
     */
    @Override
    protected Optional<CredentialStore> openStoreWithUnreadableEntries(Map<CredentialId, byte[]> credentials) throws Exception {
        Path dir = CredentialFiles.dir(tmp, "bad-" + dirs.incrementAndGet());
        credentials.forEach((id, v) -> CredentialFiles.write(dir, SystemdCredentials.credentialName(id.service(), id.account()), v));
        Files.createSymbolicLink(dir.resolve("db.zero"), Path.of("/dev/zero"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("db.fifo").toString()).inheritIO().start();
        if (mkfifo.waitFor() != 0) throw new AssertionError("mkfifo failed");
        Files.createSymbolicLink(dir.resolve("db.fifolink"), dir.resolve("db.fifo"));
        Files.createSymbolicLink(dir.resolve("db.dangling"), dir.resolve("nothing-here"));
        Files.createSymbolicLink(dir.resolve("db.dir"), tmp);
        CredentialFiles.write(dir, "db.shared", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(dir.resolve("db.shared"), PosixFilePermissions.fromString("rw-rw----"));
        CredentialFiles.write(dir, "db.big", new byte[(1 << 20) + 1]);
        CredentialFiles.write(dir, "tokensvc", "t".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.createSymbolicLink(dir.resolve("tokensvc.id"), Path.of("/dev/zero"));
        return Optional.of(CredentialFiles.open(dir));
    }

    /** As systemd and the Kubernetes kubelet do: a new file renamed over the old one, never a write in place. */
    @Override
    protected void changeElsewhere(CredentialStore watched, CredentialId id, byte[] secret) throws Exception {
        Path dir = ((SystemdCredentialStore) watched).directories().get(0);
        Path tmpFile = CredentialFiles.write(dir, ".tmp-" + dirs.incrementAndGet(), secret);
        Files.move(tmpFile, dir.resolve(SystemdCredentials.credentialName(id.service(), id.account())),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    protected void deleteElsewhere(CredentialStore watched, CredentialId id) throws Exception {
        Path dir = ((SystemdCredentialStore) watched).directories().get(0);
        Files.delete(dir.resolve(SystemdCredentials.credentialName(id.service(), id.account())));
    }

    /** Names whose escaped form exceeds systemd's 255 bytes are refused (IllegalArgumentException). */
    @Override
    protected boolean accepts(CredentialId id) {
        try {
            SystemdCredentials.credentialName(id.service(), id.account());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
