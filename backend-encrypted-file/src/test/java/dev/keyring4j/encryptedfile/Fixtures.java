package dev.keyring4j.encryptedfile;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Stores in a temporary home: XDG directories, PATH and the passphrase are injected, never taken from this process. */
final class Fixtures {
    static final String PASSPHRASE = "correct horse battery staple ✓";

    private Fixtures() {
    }

    /** The environment of a private home under {@code root}. */
    static Map<String, String> env(Path root) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", root.toString());
        env.put("XDG_DATA_HOME", root.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
    }

    /** A configuration for the given protection; a passphrase store gets {@link #PASSPHRASE} through the environment. */
    static BackendConfig config(Path root, String protection, String... extra) {
        Map<String, String> env = env(root);
        if ("passphrase".equals(protection)) env.put(StoreSettings.PASSPHRASE_ENV, PASSPHRASE);
        Map<String, String> settings = new HashMap<>();
        if (protection != null) settings.put("protection", protection);
        for (int i = 0; i + 1 < extra.length; i += 2) settings.put(extra[i], extra[i + 1]);
        return BackendConfig.of(EncryptedFileProvider.ID, settings, env);
    }

    static EncryptedFileStore open(Path root, String protection, String... extra) {
        return open(config(root, protection, extra));
    }

    /**
     * Opens as {@code Keyring.open} does: probe, then open the candidate. Where the probe refuses
     * (a file open to others, a symbolic link), the store is built from the same settings anyway, as
     * {@code open(config)} did before the two-phase SPI, so a test sees the typed refusal the store raises.
     */
    static EncryptedFileStore open(BackendConfig config) {
        Candidate c = new EncryptedFileProvider().probe(config);
        if (c.availability().isAvailable()) return (EncryptedFileStore) c.open();
        StoreSettings s = StoreSettings.from(config);
        return new EncryptedFileStore(s, EncryptedFileProvider.defaultProtection(s));
    }

    /** The default store file under {@code root}. */
    static Path storeFile(Path root) {
        return root.resolve("data/keyring4j/credentials.k4j");
    }

    /** A child JVM running {@code main} from the test classes, with this JVM's class path. */
    static ProcessBuilder childJvm(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** The key file of the keyfile store under {@code root}: one per store, named by its file id. */
    static Path keyfile(Path root) {
        try {
            return root.resolve("config/keyring4j").resolve(StoreFile.hex(StoreFile.parse(read(storeFile(root))).header().fileId()) + ".key");
        } catch (StoreFile.Damage e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file id of the store under {@code root}. */
    static byte[] fileId(Path root) {
        try {
            return StoreFile.parse(read(storeFile(root))).header().fileId();
        } catch (StoreFile.Damage e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
