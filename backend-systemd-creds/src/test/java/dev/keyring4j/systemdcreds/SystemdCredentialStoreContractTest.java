package dev.keyring4j.systemdcreds;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.nio.file.Path;
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
