package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.encryptedfile.EncryptedFileStore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keyring4j rotate}: a new primary key for the encrypted file store, every entry re-encrypted. */
@Command(name = "rotate", description = {"Give the encrypted-file store a new primary key and re-encrypt every entry.",
        "Uses the encrypted-file member of the configured store (e.g. --backend encrypted-file)."})
final class RotateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;

    @Override
    public Integer call() {
        try (CredentialStore store = options.open()) {
            EncryptedFileStore file = store.unwrap(EncryptedFileStore.class).orElseThrow(() -> new IllegalArgumentException(
                    "rotate works on the encrypted-file backend, and " + store.id() + " has none; use --backend encrypted-file"));
            file.rotate();
            Main.Streams.err.println("keyring4j: rotated the keys of " + file.path());
            return Main.OK;
        }
    }
}
