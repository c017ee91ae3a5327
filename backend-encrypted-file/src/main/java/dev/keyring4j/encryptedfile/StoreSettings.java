package dev.keyring4j.encryptedfile;

import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.BackendConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The resolved configuration of one encrypted file store. */
record StoreSettings(
        Path path,
        Optional<ProtectionKind> configuredProtection,
        String protectionSource,
        Path keyfile,
        Argon2Params argon2,
        Duration unsealTimeout,
        Map<String, String> env,
        Optional<PassphraseProvider> passphraseProvider,
        Clock clock) {

    static final String PASSPHRASE_ENV = "KEYRING4J_PASSPHRASE";

    /** The configuration keys, without the {@code encrypted-file.} prefix. */
    static final Set<String> KEYS = Set.of("path", "protection", "keyfile",
            "argon2.memory", "argon2.iterations", "argon2.parallelism", "unseal-timeout");

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
        Path keyfile = config.get("keyfile").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
                .orElseGet(() -> config.xdgConfigHome().resolve("keyring4j").resolve(path.getFileName() + ".key"))
                .toAbsolutePath().normalize();
        Argon2Params argon2 = new Argon2Params(
                config.getInt("argon2.memory", Argon2Params.DEFAULT.memoryKib()),
                config.getInt("argon2.iterations", Argon2Params.DEFAULT.iterations()),
                config.getInt("argon2.parallelism", Argon2Params.DEFAULT.parallelism()));
        String weak = argon2.weakness();
        if (weak != null) {
            throw new KeyringException("configuration encrypted-file.argon2.* (from " + config.source("argon2.memory")
                    + ") is refused: " + weak);
        }
        Duration timeout = config.getDuration("unseal-timeout", Duration.ofSeconds(10));
        if (timeout.isNegative() || timeout.isZero()) throw config.invalid("unseal-timeout", "a positive duration");
        return new StoreSettings(path, protection, config.source("protection"), keyfile, argon2, timeout,
                config.env(), config.component(PassphraseProvider.class), clock);
    }

    /** Where the passphrase would come from, for messages and diagnose(); null when nowhere. */
    String passphraseSource() {
        if (passphraseProvider.isPresent()) return "the application's PassphraseProvider";
        if (env.containsKey(PASSPHRASE_ENV)) return "$" + PASSPHRASE_ENV;
        return null;
    }
}
