package dev.keyring4j.spi;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.KeyringException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
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

    private BackendConfig(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.values = Map.copyOf(b.values);
        this.sources = Map.copyOf(b.sources);
        this.env = Map.copyOf(b.env);
        this.systemProperties = Map.copyOf(b.systemProperties);
        this.components = Map.copyOf(b.components);
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

    /** {@code <id>.<key>} as an integer; a malformed value is a {@link ConfigurationException} naming its source. */
    public int getInt(String key, int fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, "an integer");
        }
    }

    /** {@code <id>.<key>} as {@code true}/{@code false}; anything else is a {@link ConfigurationException} naming its source. */
    public boolean getBoolean(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(key, "true or false");
        };
    }

    /** {@code <id>.<key>} as an ISO-8601 duration ({@code PT5S}) or a number of milliseconds. */
    public Duration getDuration(String key, Duration fallback) {
        String v = values.get(key);
        if (v == null) return fallback;
        String t = v.trim();
        try {
            return t.chars().allMatch(Character::isDigit) ? Duration.ofMillis(Long.parseLong(t)) : Duration.parse(t);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw invalid(key, "a duration such as PT5S or a number of milliseconds");
        }
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

        public BackendConfig build() {
            return new BackendConfig(this);
        }
    }
}
