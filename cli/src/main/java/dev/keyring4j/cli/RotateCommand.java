package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.encryptedfile.EncryptedFileStore;
import dev.keyring4j.etcd.EtcdStore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code keyring4j rotate [--rekey]}: new keys for the encrypted file store, every entry
 * re-encrypted ({@link EncryptedFileStore#rotate}); with {@code --rekey} also a new file id and
 * master secret ({@link EncryptedFileStore#rekey}). On an etcd store, a new entry key and every entry
 * re-encrypted online ({@link EtcdStore#rotate}).
 */
@Command(name = "rotate", description = {"Give the encrypted-file store new keys (and a new key file or sealed key) and re-encrypt every entry.",
        "Uses the encrypted-file member of the configured store (e.g. --backend encrypted-file); with --backend etcd, rotates the",
        "etcd store's entry key online."})
final class RotateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;

    @CommandLine.Option(names = "--rekey", description = "Also give the store a new file id and master secret"
            + " (a passphrase store: new salt, the passphrase is asked for again). Older copies of the file then count as another store.")
    boolean rekey;

    @Override
    public Integer call() {
        try (CredentialStore store = options.open()) {
            java.util.Optional<EtcdStore> etcd = store.unwrap(EncryptedFileStore.class).isPresent() ? java.util.Optional.empty() : etcdOf(store);
            if (etcd.isPresent()) {
                if (rekey) throw new IllegalArgumentException("--rekey is for the encrypted-file backend; an etcd store rotates its entry key only");
                int n = etcd.get().rotate();
                Main.Streams.err.println("keyring4j: rotated the entry key of " + etcd.get() + ", " + n + " entries re-encrypted");
                return Main.OK;
            }
            EncryptedFileStore file = store.unwrap(EncryptedFileStore.class).orElseThrow(() -> new IllegalArgumentException(
                    "rotate works on the encrypted-file backend, and " + store.id() + " has none; use --backend encrypted-file"));
            if (rekey) {
                file.rekey();
                Main.Streams.err.println("keyring4j: rekeyed " + file.path() + " (new file id, master secret and keys)");
            } else {
                file.rotate();
                Main.Streams.err.println("keyring4j: rotated the keys of " + file.path());
            }
            return Main.OK;
        }
    }

    /** The etcd member of the store, when the etcd backend is on the class or module path. */
    private static java.util.Optional<EtcdStore> etcdOf(CredentialStore store) {
        try {
            return store.unwrap(EtcdStore.class);
        } catch (NoClassDefFoundError e) {
            return java.util.Optional.empty();
        }
    }
}
