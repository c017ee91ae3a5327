package dev.keyring4j.encryptedfile;

import dev.keyring4j.Secret;
import java.nio.file.Path;

/** Child JVM for {@link WatchProcessTest}: {@code root protection service account (value | --delete)}, one write, then exit. */
public final class OneWrite {
    private OneWrite() {
    }

    public static void main(String[] args) {
        try (EncryptedFileStore s = Fixtures.open(Path.of(args[0]), args[1])) {
            if (args[4].equals("--delete")) s.delete(args[2], args[3]);
            else s.set(args[2], args[3], Secret.of(args[4]));
        }
    }
}
