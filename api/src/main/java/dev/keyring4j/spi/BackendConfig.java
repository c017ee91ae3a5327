package dev.keyring4j.spi;

import dev.keyring4j.ConfigurationException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend's slice of the resolved configuration ({@code kernel.keyring} → {@code get("keyring")}),
 * each value with the source it came from, plus the environment variables and system properties
 * the backend may read and components the application supplied (callbacks such as a passphrase
 * provider). Everything is injected, so tests never mutate the real process. Immutable.
 */
public final class BackendConfig {
    private final String id;
    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final Map<String, String> env;
    private final Map<String, String> systemProperties;
    private final Map<Class<?>, Object> components;
    private final Runnable probeClock;

    private BackendConfig(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.values = Map.copyOf(b.values);
        this.sources = Map.copyOf(b.sources);
        this.env = Map.copyOf(b.env);
        this.systemProperties = Map.copyOf(b.systemProperties);
        this.components = Map.copyOf(b.components);
        this.probeClock = b.probeClock;
    }

    /** A builder for the backend {@code id}; environment and system properties start empty. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A configuration with these settings and this environment, for tests and embedding. */
    public static BackendConfig of(String id, Map<String, String> settings, Map<String, String> env) {
        Builder b = builder(id).env(env);
        settings.forEach((k, v) -> b.set(k, v, "programmatic"));
        return b.build();
    }

    /** The backend id this slice belongs to. */
    public String id() {
        return id;
    }

    /** The value of {@code <id>.<key>}, if configured. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code <id>.<key>}, or {@code fallback}. */
    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** Every configured key of this backend (without the prefix) and its value. */
    public Map<String, String> values() {
        return values;
    }

    /** Where {@code <id>.<key>} was set, e.g. {@code /etc/keyring4j/keyring.properties} or {@code system property keyring4j.kernel.keyring}. */
    public String source(String key) {
        return sources.getOrDefault(key, "default");
    }

    /** The settings every backend understands, without a declaration of its own. */
    public static final List<Setting<?>> COMMON = List.of(
            Setting.integer("priority", null, "overrides the backend's priority in auto-detection (higher wins)"),
            Setting.bool("enabled", true, "false leaves the backend out: it is neither probed nor opened"),
            Setting.duration("probe-timeout", null, "how long the backend may take to answer its probe once asked"
                    + " (default: the probe timeout of KeyringConfig, 5 s); a slower answer makes it indeterminate, never absent"));

    /** The value of a declared setting: the configured one parsed, else its default; a malformed value names key and source. */
    public <T> T get(Setting<T> setting) {
        return find(setting).orElseThrow(() -> new IllegalStateException(id + "." + setting.key() + " has no default; use find"));
    }

    /** The configured or default value of a declared setting, if it has either. */
    public <T> Optional<T> find(Setting<T> setting) {
        if (setting.isPattern()) throw new IllegalArgumentException(setting.key() + " is a pattern: use find(setting, name)");
        return parse(setting, setting.key());
    }

    /** The value of a pattern setting for one {@code <name>} ({@code rule.<name>.run} for {@code github}). */
    public <T> Optional<T> find(Setting<T> setting, String name) {
        return parse(setting, setting.keyFor(name));
    }

    /** The {@code <name>}s configured for a pattern setting, sorted. */
    public java.util.SortedSet<String> names(Setting<?> setting) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        values.keySet().forEach(k -> setting.nameIn(k).ifPresent(out::add));
        return out;
    }

    private <T> Optional<T> parse(Setting<T> setting, String key) {
        String v = values.get(key);
        String text = v != null ? v : setting.isPattern() ? null : setting.defaultText().orElse(null);
        if (text == null) return Optional.empty();
        try {
            return Optional.of(setting.parse(text));
        } catch (Setting.Invalid e) {
            throw invalid(key, e.getMessage());
        }
    }

    /**
     * Says that the backend itself is being asked now (its classes are loaded, its socket is
     * connected): the probe's time limit counts from here, so that it measures the backend and not
     * the JVM. Outside a probe it does nothing.
     */
    public void startProbeClock() {
        probeClock.run();
    }

    /** The error for a malformed value: names the key, its source and what was expected (not the value, which may be sensitive). */
    public ConfigurationException invalid(String key, String expected) {
        return new ConfigurationException("configuration " + id + "." + key + " (from " + source(key) + ") must be " + expected);
    }

    /** An environment variable as the backend should see it. */
    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    /** The whole environment as the backend should see it. */
    public Map<String, String> env() {
        return env;
    }

    /** A system property as the backend should see it. */
    public Optional<String> systemProperty(String name) {
        return Optional.ofNullable(systemProperties.get(name));
    }

    /** A component the application supplied through {@code KeyringConfig.Builder.component}. */
    public <T> Optional<T> component(Class<T> type) {
        return Optional.ofNullable(type.cast(components.get(type)));
    }

    /** The user's home: {@code $HOME} (as XDG paths expect), else {@code user.home}. */
    public Path home() {
        return Path.of(env("HOME").filter(h -> !h.isEmpty()).or(() -> systemProperty("user.home")).orElse("/"));
    }

    /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
    public Path xdgConfigHome() {
        return env("XDG_CONFIG_HOME").filter(s -> !s.isEmpty()).map(Path::of).orElseGet(() -> home().resolve(".config"));
    }

    /** {@code $XDG_DATA_HOME}, else {@code ~/.local/share}. */
    public Path xdgDataHome() {
        return env("XDG_DATA_HOME").filter(s -> !s.isEmpty()).map(Path::of).orElseGet(() -> home().resolve(".local/share"));
    }

    @Override
    public String toString() {
        return "BackendConfig[" + id + ", keys=" + values.keySet() + "]";
    }

    /** Builds a {@link BackendConfig}. */
    public static final class Builder {
        private final String id;
        private final Map<String, String> values = new HashMap<>();
        private final Map<String, String> sources = new HashMap<>();
        private final Map<String, String> env = new HashMap<>();
        private final Map<String, String> systemProperties = new HashMap<>();
        private final Map<Class<?>, Object> components = new HashMap<>();
        private Runnable probeClock = () -> { };

        private Builder(String id) {
            this.id = id;
        }

        /** Sets {@code <id>.<key>} and records where it came from. */
        public Builder set(String key, String value, String source) {
            values.put(key, value);
            sources.put(key, source);
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env.clear();
            this.env.putAll(env);
            return this;
        }

        public Builder systemProperties(Map<String, String> props) {
            this.systemProperties.clear();
            this.systemProperties.putAll(props);
            return this;
        }

        public <T> Builder component(Class<T> type, T value) {
            components.put(type, type.cast(value));
            return this;
        }

        /** Adds every component of {@code all} (keys are the types the values are registered under). */
        public Builder components(Map<Class<?>, Object> all) {
            components.putAll(all);
            return this;
        }

        /** What {@link BackendConfig#startProbeClock()} calls: the caller that bounds the probe's time. */
        public Builder probeClock(Runnable start) {
            this.probeClock = Objects.requireNonNull(start, "start");
            return this;
        }

        public BackendConfig build() {
            return new BackendConfig(this);
        }
    }
}
