package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.PassphraseProtection;
import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.ProtectionSettings;
import dev.keyring4j.keyset.Argon2Params;
import dev.keyring4j.keyset.Header;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved configuration of one encrypted file store: every {@code encrypted-file.*} key is
 * declared here once ({@link #DECLARED}) and parsed by {@link #from}, once per probe.
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
        Clock clock) implements ProtectionSettings {

    static final String PASSPHRASE_ENV = PassphraseProtection.PASSPHRASE_ENV;

    // every key of encrypted-file, declared once; from() is the only reader
    static final Setting<Path> PATH = Setting.path("path", null,
            "the store file (default ${XDG_DATA_HOME:-~/.local/share}/keyring4j/credentials.k4j)");
    static final Setting<ProtectionKind> PROTECTION = Setting.text("protection", null,
            "how the keyset is protected (default: what an existing file says, else systemd-creds where it works for this user, else keyfile)")
            .map("passphrase | systemd-creds | keyfile", v -> {
                ProtectionKind k = ProtectionKind.parse(v);
                if (k == null) throw new Setting.Invalid("one of passphrase, systemd-creds, keyfile");
                return k;
            });
    static final Setting<Path> KEYFILE = Setting.path("keyfile", null,
            "the key file of keyfile protection (default ${XDG_CONFIG_HOME:-~/.config}/keyring4j/<file id>.key, one per store)");
    static final Setting<Integer> ARGON2_MEMORY = Setting.integer("argon2.memory", Argon2Params.DEFAULT.memoryKib(),
            "Argon2id memory in KiB for passphrase protection (OWASP's recommendation; weaker settings are refused)");
    static final Setting<Integer> ARGON2_ITERATIONS = Setting.integer("argon2.iterations", Argon2Params.DEFAULT.iterations(),
            "Argon2id iterations for passphrase protection");
    static final Setting<Integer> ARGON2_PARALLELISM = Setting.integer("argon2.parallelism", Argon2Params.DEFAULT.parallelism(),
            "Argon2id lanes for passphrase protection");
    static final Setting<Duration> UNSEAL_TIMEOUT = Setting.duration("unseal-timeout", "PT10S",
            "how long systemd-creds may take to seal or unseal the key (a TPM2 can be slow)").map("duration", d -> {
                if (d.isNegative() || d.isZero()) throw new Setting.Invalid("a positive duration");
                return d;
            });
    static final Setting<Boolean> ACCEPT_ROLLBACK = Setting.bool("accept-rollback", false,
            "accept a store file older than the one last written here (a restored backup) instead of refusing it");
    static final List<Setting<?>> DECLARED = List.of(PATH, PROTECTION, KEYFILE, ARGON2_MEMORY, ARGON2_ITERATIONS, ARGON2_PARALLELISM,
            UNSEAL_TIMEOUT, ACCEPT_ROLLBACK);

    static StoreSettings from(BackendConfig config) {
        return from(config, Clock.systemUTC());
    }

    static StoreSettings from(BackendConfig config, Clock clock) {
        Path path = nonEmpty(config.find(PATH))
                .orElseGet(() -> config.xdgDataHome().resolve("keyring4j").resolve("credentials.k4j"))
                .toAbsolutePath().normalize();
        Optional<Path> keyfile = nonEmpty(config.find(KEYFILE)).map(p -> p.toAbsolutePath().normalize());
        Path keyDirectory = config.xdgConfigHome().resolve("keyring4j").toAbsolutePath().normalize();
        Path stateHome = config.env("XDG_STATE_HOME").filter(s -> !s.isEmpty()).map(Path::of)
                .orElseGet(() -> config.home().resolve(".local/state"));
        Path record = stateHome.resolve("keyring4j").toAbsolutePath().normalize()
                .resolve(path.getFileName() + "." + StoreFile.hex(Arrays.copyOf(StoreFile.sha256(pathBytes(path), pathBytes(path).length), 16))
                        + GenerationRecord.SUFFIX);
        Argon2Params argon2 = new Argon2Params(config.get(ARGON2_MEMORY), config.get(ARGON2_ITERATIONS), config.get(ARGON2_PARALLELISM));
        String weak = argon2.weakness();
        if (weak != null) {
            throw new ConfigurationException("configuration encrypted-file.argon2.* (from " + config.source(ARGON2_MEMORY.key())
                    + ") is refused: " + weak);
        }
        return new StoreSettings(path, config.find(PROTECTION), config.source(PROTECTION.key()), keyfile, keyDirectory, config.home(), record,
                config.get(ACCEPT_ROLLBACK), argon2, config.get(UNSEAL_TIMEOUT),
                config.env(), config.component(PassphraseProvider.class), clock);
    }

    /** An empty value means the default, as it always has. */
    private static Optional<Path> nonEmpty(Optional<Path> p) {
        return p.filter(x -> !x.toString().isEmpty());
    }

    private static byte[] pathBytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key file of the store whose header is {@code h}: {@code encrypted-file.keyfile} when set;
     * else one per store, {@code <key directory>/<file id>.key}; for a {@code keyring4j-file/1} store
     * (written before key files were per store) {@code <key directory>/<store file name>.key}.
     */
    @Override
    public Path keyfile(Header h) {
        if (configuredKeyfile.isPresent()) return configuredKeyfile.get();
        if (h.version() == 1) return legacyKeyfile();
        return keyDirectory.resolve(StoreFile.hex(h.fileId()) + ".key");
    }

    /** The key file name of version 1, derived from the store's file name only: shared by stores of the same name. */
    Path legacyKeyfile() {
        return keyDirectory.resolve(path.getFileName() + ".key");
    }

    /** Where key files are, for messages. */
    @Override
    public String keyfileDescription() {
        return configuredKeyfile.map(Path::toString).orElse(keyDirectory + "/<file id>.key");
    }

    /** Where the passphrase would come from, for messages and diagnose(); null when nowhere. */
    @Override
    public String passphraseSource() {
        if (passphraseProvider.isPresent()) return "the application's PassphraseProvider";
        if (env.containsKey(PASSPHRASE_ENV)) return "$" + PASSPHRASE_ENV;
        return null;
    }

    @Override
    public String where() {
        return "encrypted file store " + path;
    }

    @Override
    public String unsealTimeoutKey() {
        return "encrypted-file." + UNSEAL_TIMEOUT.key();
    }

    @Override
    public String keyfileKey() {
        return "encrypted-file." + KEYFILE.key();
    }

    @Override
    public char[] passphrase(boolean create) {
        if (passphraseProvider.isPresent()) {
            return passphraseProvider.get().passphrase(path, create ? PassphraseProvider.Purpose.CREATE : PassphraseProvider.Purpose.UNLOCK);
        }
        return env.containsKey(PASSPHRASE_ENV) ? env.get(PASSPHRASE_ENV).toCharArray() : null;
    }

    @Override
    public String passphraseHint() {
        return "set " + PASSPHRASE_ENV + " or register a PassphraseProvider (the keyring4j CLI prompts)";
    }
}
