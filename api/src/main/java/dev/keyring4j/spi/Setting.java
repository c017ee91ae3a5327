package dev.keyring4j.spi;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One configuration key of a backend, declared once: its name (or pattern), type, parser, default
 * and a one-line description. The declaration drives everything else: unknown keys are refused
 * naming their source, values are parsed (a malformed one is a
 * {@link dev.keyring4j.ConfigurationException} naming key and source, never the value), and
 * {@code diagnose()} and the generated configuration reference ({@code docs/configuration.md}) show it.
 *
 * <p>Immutable. A key is relative to the backend ({@code keyring} for {@code kernel.keyring}). A
 * pattern key has one {@code <name>} part ({@code rule.<name>.run}) standing for
 * {@code [A-Za-z0-9_-]+}; {@link BackendConfig#names(Setting)} lists the names configured.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {
    private static final String NAME_PART = "<name>";
    private static final String NAME_CHARS = "[A-Za-z0-9_-]+";

    private final String key;
    private final String type;
    private final Function<String, T> parser;
    private final String defaultText;
    private final String description;
    private final UnaryOperator<String> display;
    private final Pattern pattern;

    private Setting(String key, String type, Function<String, T> parser, String defaultText, String description, UnaryOperator<String> display) {
        this.key = Objects.requireNonNull(key, "key");
        this.type = type;
        this.parser = parser;
        this.defaultText = defaultText;
        this.description = Objects.requireNonNull(description, "description");
        this.display = display;
        int at = key.indexOf(NAME_PART);
        if (at >= 0 && key.indexOf(NAME_PART, at + 1) >= 0) throw new IllegalArgumentException("one <name> part at most: " + key);
        this.pattern = at < 0 ? null
                : Pattern.compile(Pattern.quote(key.substring(0, at)) + "(" + NAME_CHARS + ")" + Pattern.quote(key.substring(at + NAME_PART.length())));
        if (defaultText != null) parser.apply(defaultText); // a default that does not parse is a bug in the backend
    }

    /** Any text. */
    public static Setting<String> text(String key, String defaultText, String description) {
        return new Setting<>(key, "text", String::trim, defaultText, description, UnaryOperator.identity());
    }

    /** A file system path. */
    public static Setting<Path> path(String key, String defaultText, String description) {
        return new Setting<>(key, "path", v -> {
            try {
                return Path.of(v.trim());
            } catch (InvalidPathException e) {
                // its message would quote the value
                throw new Invalid("a file system path (without a NUL character)");
            }
        }, defaultText, description, UnaryOperator.identity());
    }

    /** An integer. */
    public static Setting<Integer> integer(String key, Integer defaultValue, String description) {
        return new Setting<>(key, "integer", v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new Invalid("an integer");
            }
        }, defaultValue == null ? null : defaultValue.toString(), description, UnaryOperator.identity());
    }

    /** {@code true}/{@code false} (also {@code yes}/{@code no}, {@code on}/{@code off}). */
    public static Setting<Boolean> bool(String key, Boolean defaultValue, String description) {
        return new Setting<>(key, "boolean", v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new Invalid("true or false");
        }, defaultValue == null ? null : defaultValue.toString(), description, UnaryOperator.identity());
    }

    /** An ISO-8601 duration ({@code PT5S}) or a number of milliseconds. */
    public static Setting<Duration> duration(String key, String defaultText, String description) {
        return new Setting<>(key, "duration", v -> {
            String t = v.trim();
            try {
                return t.chars().allMatch(Character::isDigit) && !t.isEmpty() ? Duration.ofMillis(Long.parseLong(t)) : Duration.parse(t);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new Invalid("a duration such as PT5S or a number of milliseconds");
            }
        }, defaultText, description, UnaryOperator.identity());
    }

    /** One of {@code choices} (compared in lower case; the value is returned in lower case). */
    public static Setting<String> choice(String key, String defaultText, List<String> choices, String description) {
        List<String> allowed = List.copyOf(choices);
        return new Setting<>(key, String.join(" | ", allowed), v -> {
            String c = v.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(c)) throw new Invalid("one of " + allowed);
            return c;
        }, defaultText, description, UnaryOperator.identity());
    }

    /** A comma-separated list of words (empty entries dropped). */
    public static Setting<List<String>> list(String key, String defaultText, String description) {
        return new Setting<>(key, "comma list", v -> java.util.Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                defaultText, description, UnaryOperator.identity());
    }

    /** The same setting parsed further by {@code check}, which throws {@link Invalid} for a value it refuses. */
    public <R> Setting<R> map(String type, Function<? super T, R> check) {
        Function<String, T> first = parser;
        return new Setting<>(key, type, v -> check.apply(first.apply(v)), defaultText, description, display);
    }

    /** The same setting, shown by {@code diagnose()} through {@code display} (for values that may carry a secret). */
    public Setting<T> displayedAs(UnaryOperator<String> display) {
        return new Setting<>(key, type, parser, defaultText, description, Objects.requireNonNull(display, "display"));
    }

    /** The key relative to the backend, e.g. {@code keyring} or {@code rule.<name>.run}. */
    public String key() {
        return key;
    }

    /** The type, as the configuration reference names it ({@code duration}, {@code user | session}). */
    public String type() {
        return type;
    }

    /** The default as it would be written in a file, if there is one. */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    /** One line: what the setting does. */
    public String description() {
        return description;
    }

    /** Whether this is a pattern with a {@code <name>} part. */
    public boolean isPattern() {
        return pattern != null;
    }

    /** Whether {@code key} is this setting (or an instance of its pattern). */
    public boolean matches(String key) {
        return pattern == null ? this.key.equals(key) : pattern.matcher(key).matches();
    }

    /** The {@code <name>} in {@code key}, for a pattern setting that matches it. */
    Optional<String> nameIn(String key) {
        if (pattern == null) return Optional.empty();
        var m = pattern.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The key for {@code name}, for a pattern setting. */
    String keyFor(String name) {
        if (pattern == null) throw new IllegalStateException(key + " is not a pattern");
        return key.replace(NAME_PART, name);
    }

    /** Parses {@code text}; throws {@link Invalid} saying what was expected. */
    T parse(String text) {
        return parser.apply(text);
    }

    /** The value as {@code diagnose()} shows it; never throws (a masking function that fails shows nothing). */
    public String display(String value) {
        try {
            String shown = display.apply(value);
            return shown != null ? shown : "[not shown]";
        } catch (RuntimeException e) {
            return "[not shown]";
        }
    }

    @Override
    public String toString() {
        return "Setting[" + key + ": " + type + "]";
    }

    /** Thrown by a parser for a value it refuses; the message says what was expected. Turned into a ConfigurationException. */
    public static final class Invalid extends RuntimeException {
        /** @param expected what a valid value is, e.g. {@code "an integer"} (never the value itself) */
        public Invalid(String expected) {
            super(expected, null, false, false);
        }
    }
}
