package dev.keyring4j.encryptedfile;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
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

    /** Another handle on the same file (its own lock, reads and writes), as another process would be. */
    @Override
    protected void changeElsewhere(CredentialStore watched, CredentialId id, byte[] secret) {
        try (EncryptedFileStore other = Fixtures.open(rootOf(watched), protection())) {
            other.set(id.service(), id.account(), Secret.of(secret));
        }
    }

    @Override
    protected void deleteElsewhere(CredentialStore watched, CredentialId id) {
        try (EncryptedFileStore other = Fixtures.open(rootOf(watched), protection())) {
            other.delete(id.service(), id.account());
        }
    }

    /** The home of a store {@link #openStore()} made: its file is {@code <root>/data/keyring4j/credentials.k4j}. */
    private static Path rootOf(CredentialStore s) {
        return s.unwrap(EncryptedFileStore.class).orElseThrow().path().getParent().getParent().getParent();
    }
}
