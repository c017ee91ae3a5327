package dev.keyring4j.encryptedfile;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.spi.BackendConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resolved configuration of one encrypted file store.
 *
 * @param configuredKeyfile {@code encrypted-file.keyfile}, when set
 * @param keyDirectory      where default key files go: one per store, named by its file id
 * @param home              the user's home: the directory checks above a store stop there
 * @param generationRecord  where the store's last written generation is remembered
 * @param acceptRollback    {@code encrypted-file.accept-rollback}: accept a file older than remembered
 */
record StoreSettings(
        Path path,
        Optional<ProtectionKind> configuredProtection,
        String protectionSource,
        Optional<Path> configuredKeyfile,
        Path keyDirectory,
        Path home,
        Path generationRecord,
        boolean acceptRollback,
        Argon2Params argon2,
        Duration unsealTimeout,
        Map<String, String> env,
        Optional<PassphraseProvider> passphraseProvider,
        Clock clock) {

    static final String PASSPHRASE_ENV = "KEYRING4J_PASSPHRASE";

    /** The configuration keys, without the {@code encrypted-file.} prefix. */
    static final Set<String> KEYS = Set.of("path", "protection", "keyfile",
            "argon2.memory", "argon2.iterations", "argon2.parallelism", "unseal-timeout", "accept-rollback");

    static StoreSettings from(BackendConfig config) {
        return from(config, Clock.systemUTC());
    }

    static StoreSettings from(BackendConfig config, Clock clock) {
        Path path = config.get("path").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
                .orElseGet(() -> config.xdgDataHome().resolve("keyring4j").resolve("credentials.k4j"))
                .toAbsolutePath().normalize();
        Optional<ProtectionKind> protection = Optional.empty();
        if (config.get("protection").isPresent()) {
            ProtectionKind k = ProtectionKind.parse(config.get("protection").get());
            if (k == null) throw config.invalid("protection", "one of passphrase, systemd-creds, keyfile");
            protection = Optional.of(k);
        }
        Optional<Path> keyfile = config.get("keyfile").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
                .map(p -> p.toAbsolutePath().normalize());
        Path keyDirectory = config.xdgConfigHome().resolve("keyring4j").toAbsolutePath().normalize();
        Path stateHome = config.env("XDG_STATE_HOME").filter(s -> !s.isEmpty()).map(Path::of)
                .orElseGet(() -> config.home().resolve(".local/state"));
        Path record = stateHome.resolve("keyring4j").toAbsolutePath().normalize()
                .resolve(path.getFileName() + "." + StoreFile.hex(Arrays.copyOf(StoreFile.sha256(pathBytes(path), pathBytes(path).length), 16))
                        + GenerationRecord.SUFFIX);
        Argon2Params argon2 = new Argon2Params(
                config.getInt("argon2.memory", Argon2Params.DEFAULT.memoryKib()),
                config.getInt("argon2.iterations", Argon2Params.DEFAULT.iterations()),
                config.getInt("argon2.parallelism", Argon2Params.DEFAULT.parallelism()));
        String weak = argon2.weakness();
        if (weak != null) {
            throw new ConfigurationException("configuration encrypted-file.argon2.* (from " + config.source("argon2.memory")
                    + ") is refused: " + weak);
        }
        Duration timeout = config.getDuration("unseal-timeout", Duration.ofSeconds(10));
        if (timeout.isNegative() || timeout.isZero()) throw config.invalid("unseal-timeout", "a positive duration");
        return new StoreSettings(path, protection, config.source("protection"), keyfile, keyDirectory, config.home(), record,
                config.getBoolean("accept-rollback", false), argon2, timeout,
                config.env(), config.component(PassphraseProvider.class), clock);
    }

    private static byte[] pathBytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key file of the store whose header is {@code h}: {@code encrypted-file.keyfile} when set;
     * else one per store, {@code <key directory>/<file id>.key}; for a {@code keyring4j-file/1} store
     * (written before key files were per store) {@code <key directory>/<store file name>.key}.
     */
    Path keyfile(Header h) {
        if (configuredKeyfile.isPresent()) return configuredKeyfile.get();
        if (h.version() == 1) return legacyKeyfile();
        return keyDirectory.resolve(StoreFile.hex(h.fileId()) + ".key");
    }

    /** The key file name of version 1, derived from the store's file name only: shared by stores of the same name. */
    Path legacyKeyfile() {
        return keyDirectory.resolve(path.getFileName() + ".key");
    }

    /** Where key files are, for messages. */
    String keyfileDescription() {
        return configuredKeyfile.map(Path::toString).orElse(keyDirectory + "/<file id>.key");
    }

    /** Where the passphrase would come from, for messages and diagnose(); null when nowhere. */
    String passphraseSource() {
        if (passphraseProvider.isPresent()) return "the application's PassphraseProvider";
        if (env.containsKey(PASSPHRASE_ENV)) return "$" + PASSPHRASE_ENV;
        return null;
    }
}
