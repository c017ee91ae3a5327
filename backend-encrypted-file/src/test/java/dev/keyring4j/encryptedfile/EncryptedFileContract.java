package dev.keyring4j.encryptedfile;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.testkit.CredentialStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The testkit contract against real files, one fresh store file per {@link #openStore()}. */
abstract class EncryptedFileContract extends CredentialStoreContract {
    @TempDir
    Path tmp;
    private final AtomicInteger stores = new AtomicInteger();

    abstract String protection();

    @Override
    protected CredentialStore openStore() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("home" + stores.incrementAndGet()));
        return Fixtures.open(root, protection());
    }
}
