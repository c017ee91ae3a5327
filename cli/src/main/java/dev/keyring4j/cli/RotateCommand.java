package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.encryptedfile.EncryptedFileStore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code keyring4j rotate [--rekey]}: new keys for the encrypted file store, every entry
 * re-encrypted ({@link EncryptedFileStore#rotate}); with {@code --rekey} also a new file id and
 * master secret ({@link EncryptedFileStore#rekey}).
 */
@Command(name = "rotate", description = {"Give the encrypted-file store new keys (and a new key file or sealed key) and re-encrypt every entry.",
        "Uses the encrypted-file member of the configured store (e.g. --backend encrypted-file)."})
final class RotateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;

    @CommandLine.Option(names = "--rekey", description = "Also give the store a new file id and master secret"
            + " (a passphrase store: new salt, the passphrase is asked for again). Older copies of the file then count as another store.")
    boolean rekey;

    @Override
    public Integer call() {
        try (CredentialStore store = options.open()) {
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
}
