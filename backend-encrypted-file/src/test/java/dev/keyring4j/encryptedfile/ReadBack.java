package dev.keyring4j.encryptedfile;

import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.spi.BackendConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Child JVM for {@link InteropTest}: opens a store and prints {@code VALUE <secret>}, {@code ABSENT},
 * {@code LOCKED <message>}, {@code CORRUPTED <message>} or {@code ERROR <message>}.
 * Arguments: root, protection, service, account, and optionally the passphrase to use.
 */
public final class ReadBack {
    private ReadBack() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        Map<String, String> env = Fixtures.env(root);
        env.put(StoreSettings.PASSPHRASE_ENV, args.length > 4 ? args[4] : Fixtures.PASSPHRASE);
        BackendConfig config = BackendConfig.of(EncryptedFileProvider.ID, new HashMap<>(Map.of("protection", args[1])), env);
        try (var s = Fixtures.open(config)) {
            System.out.println(s.get(args[2], args[3]).map(v -> "VALUE " + v.asString()).orElse("ABSENT"));
        } catch (LockedException e) {
            System.out.println("LOCKED " + e.getMessage());
        } catch (StoreCorruptedException e) {
            System.out.println("CORRUPTED " + e.getMessage());
        } catch (KeyringException e) {
            System.out.println("ERROR " + e.getMessage());
        }
    }
}
