package dev.keyring4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The programmatic layer of configuration, the highest of all, plus where the lower layers are
 * read from. {@link #defaults()} reads the real process environment, system properties and the
 * standard files; tests and embedders inject their own instead of mutating the process.
 * Immutable; build with {@link #builder()}.
 *
 * <p>Precedence, highest first: this object; system properties {@code keyring4j.backend},
 * {@code keyring4j.<id>.<key>} and the file named by {@code keyring4j.config}; environment
 * {@code KEYRING4J_BACKEND} and the file named by {@code KEYRING4J_CONFIG}; the user file
 * {@code ${XDG_CONFIG_HOME:-~/.config}/keyring4j/keyring.properties}; the system file
 * {@code /etc/keyring4j/keyring.properties}; auto-detection.
 */
public final class KeyringConfig {
    /** The system-wide configuration file. */
    public static final Path SYSTEM_FILE = Path.of("/etc/keyring4j/keyring.properties");

    private final String backend;
    private final String backendSource;
    private final Map<String, String> settings;
    private final Path configFile;
    private final Map<String, String> env;
    private final Map<String, String> systemProperties;
    private final Path userFile;
    private final Path systemFile;
    private final Map<Class<?>, Object> components;
    private final Duration probeTimeout;

    private KeyringConfig(Builder b) {
        this.backend = b.backend;
        this.backendSource = b.backendSource;
        this.settings = Map.copyOf(b.settings);
        this.configFile = b.configFile;
        this.env = b.env == null ? null : Map.copyOf(b.env);
        this.systemProperties = b.systemProperties == null ? null : Map.copyOf(b.systemProperties);
        this.userFile = b.userFile;
        this.systemFile = b.systemFile;
        this.components = Map.copyOf(b.components);
        this.probeTimeout = b.probeTimeout;
    }

    /** Nothing programmatic; the real environment, system properties and standard files. */
    public static KeyringConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backend = backend;
        b.backendSource = backendSource;
        b.settings.putAll(settings);
        b.configFile = configFile;
        b.env = env == null ? null : new HashMap<>(env);
        b.systemProperties = systemProperties == null ? null : new HashMap<>(systemProperties);
        b.userFile = userFile;
        b.systemFile = systemFile;
        b.components.putAll(components);
        b.probeTimeout = probeTimeout;
        return b;
    }

    Optional<String> backend() {
        return Optional.ofNullable(backend);
    }

    String backendSource() {
        return backendSource;
    }

    Map<String, String> settings() {
        return settings;
    }

    Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }

    Map<String, String> env() {
        return env != null ? env : System.getenv();
    }

    Map<String, String> systemProperties() {
        if (systemProperties != null) return systemProperties;
        Map<String, String> copy = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k instanceof String key && v instanceof String value) copy.put(key, value);
        });
        return copy;
    }

    Path userFile() {
        if (userFile != null) return userFile;
        String xdg = env().get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : Path.of(env().getOrDefault("HOME", systemProperties().getOrDefault("user.home", "/"))).resolve(".config");
        return base.resolve("keyring4j").resolve("keyring.properties");
    }

    Path systemFile() {
        return systemFile != null ? systemFile : SYSTEM_FILE;
    }

    Map<Class<?>, Object> components() {
        return components;
    }

    Duration probeTimeout() {
        return probeTimeout;
    }

    @Override
    public String toString() {
        return "KeyringConfig[backend=" + backend + ", keys=" + settings.keySet() + "]";
    }

    /** Builds a {@link KeyringConfig}. */
    public static final class Builder {
        private String backend;
        private String backendSource = "programmatic";
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Path configFile;
        private Map<String, String> env;
        private Map<String, String> systemProperties;
        private Path userFile;
        private Path systemFile;
        private final Map<Class<?>, Object> components = new HashMap<>();
        private Duration probeTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        /** A backend id or a comma list of ids forming a chain, e.g. {@code "secret-service,encrypted-file"}. */
        public Builder backend(String spec) {
            this.backend = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Sets a backend key, e.g. {@code set("kernel.keyring", "session")}. */
        public Builder set(String key, String value) {
            settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A properties file consulted just below this programmatic layer (what the CLI's {@code --config} sets). */
        public Builder configFile(Path file) {
            this.configFile = file;
            return this;
        }

        /** The environment to read instead of the process's ({@code KEYRING4J_*}, {@code HOME}, {@code XDG_*}, backend variables). */
        public Builder environment(Map<String, String> env) {
            this.env = new HashMap<>(env);
            return this;
        }

        /** The system properties to read instead of the process's. */
        public Builder systemProperties(Map<String, String> props) {
            this.systemProperties = new HashMap<>(props);
            return this;
        }

        /** The user file to read instead of {@code ${XDG_CONFIG_HOME:-~/.config}/keyring4j/keyring.properties}. */
        public Builder userFile(Path file) {
            this.userFile = file;
            return this;
        }

        /** The system file to read instead of {@code /etc/keyring4j/keyring.properties}. */
        public Builder systemFile(Path file) {
            this.systemFile = file;
            return this;
        }

        /** A component backends may use, e.g. a passphrase provider. */
        public <T> Builder component(Class<T> type, T value) {
            components.put(type, type.cast(value));
            return this;
        }

        /**
         * How long one backend's probe may take, counted from when the backend itself is asked
         * ({@code BackendConfig.startProbeClock()}), before it counts as indeterminate (default 5 s;
         * {@code <id>.probe-timeout} overrides it per backend).
         */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        Builder backendSource(String source) {
            this.backendSource = source;
            return this;
        }

        public KeyringConfig build() {
            return new KeyringConfig(this);
        }
    }
}
