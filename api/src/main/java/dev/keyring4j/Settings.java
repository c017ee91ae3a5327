package dev.keyring4j;

import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.internal.RejectedInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration layers merged into one map of {@code key → value} with the source of each
 * value, and the list of sources consulted. Keys are {@code backend} and {@code <id>.<key>}.
 */
final class Settings {
    static final String BACKEND = "backend";
    private static final String SYSPROP_PREFIX = "keyring4j.";
    /** The largest configuration file read: far beyond any real one, small enough that /dev/zero ends at once. */
    static final int MAX_FILE_BYTES = 1 << 20;

    record Value(String value, String source) {
    }

    private final Map<String, Value> values = new LinkedHashMap<>();
    private final List<String> consulted = new ArrayList<>();

    private Settings() {
    }

    static Settings resolve(KeyringConfig config) {
        Settings s = new Settings();
        // lowest first, so that higher layers overwrite
        s.file(config.systemFile(), "system file " + config.systemFile(), false);
        s.file(config.userFile(), "user file " + config.userFile(), false);

        Map<String, String> env = config.env();
        String envFile = env.get("KEYRING4J_CONFIG");
        if (envFile != null && !envFile.isBlank()) {
            s.file(Path.of(envFile), "file " + envFile + " (named by environment KEYRING4J_CONFIG)", true);
        } else {
            s.consulted.add("environment KEYRING4J_CONFIG: not set");
        }
        String envBackend = env.get("KEYRING4J_BACKEND");
        if (envBackend != null && !envBackend.isBlank()) {
            s.put(BACKEND, envBackend, "environment KEYRING4J_BACKEND");
            s.consulted.add("environment KEYRING4J_BACKEND: " + envBackend.trim());
        } else {
            s.consulted.add("environment KEYRING4J_BACKEND: not set");
        }

        Map<String, String> props = config.systemProperties();
        String propFile = props.get("keyring4j.config");
        if (propFile != null && !propFile.isBlank()) {
            s.file(Path.of(propFile), "file " + propFile + " (named by system property keyring4j.config)", true);
        }
        int fromProps = 0;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(props).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(SYSPROP_PREFIX) || name.equals("keyring4j.config")) continue;
            String key = name.substring(SYSPROP_PREFIX.length());
            s.put(key, e.getValue(), "system property " + name);
            fromProps++;
        }
        s.consulted.add("system properties keyring4j.*: " + (fromProps == 0 && propFile == null ? "none" : fromProps + " set"));

        config.configFile().ifPresent(f -> s.file(f, "file " + f + " (given programmatically / --config)", true));
        config.settings().forEach((k, v) -> s.put(k, v, "programmatic " + k));
        config.backend().ifPresent(b -> s.put(BACKEND, b, config.backendSource()));
        s.consulted.add("programmatic: " + (config.settings().isEmpty() && config.backend().isEmpty() ? "none"
                : config.backend().map(b -> "backend " + b + " ").orElse("") + config.settings().size() + " keys"));
        java.util.Collections.reverse(s.consulted);
        return s;
    }

    private void file(Path path, String source, boolean required) {
        Properties p = new Properties();
        byte[] raw;
        try {
            // a configuration file may be a symbolic link (dotfiles); a FIFO, a device or an endless file is refused at once
            raw = BoundedInput.readFile(path, "the configuration " + source, MAX_FILE_BYTES, true);
        } catch (RejectedInputException e) {
            if (e.problem() == RejectedInputException.Problem.MISSING) {
                if (required) {
                    throw new ConfigurationException("the configuration " + source + " does not exist; create it or stop naming it");
                }
                consulted.add(source + ": not present");
                return;
            }
            throw new ConfigurationException(e.getMessage() + (e.problem() == RejectedInputException.Problem.DENIED
                    ? "" : "; point the setting at a keyring.properties file or remove it"), e);
        }
        try {
            p.load(new StringReader(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString()));
        } catch (CharacterCodingException e) {
            throw new ConfigurationException("the configuration " + source + " is not UTF-8 text; save it as UTF-8", e);
        } catch (IOException e) {
            throw new ConfigurationException("the configuration " + source + " is not a properties file (" + e.getClass().getSimpleName()
                    + "); fix its syntax", e);
        } catch (IllegalArgumentException e) {
            // Properties.load's only other failure; its message quotes nothing, but say it in our words
            throw new ConfigurationException("the configuration " + source + " has a malformed \\uXXXX escape"
                    + " (\\u must be followed by four hex digits); fix it or write the character itself");
        }
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            put(key, stripComment(p.getProperty(key)), source);
        }
        consulted.add(source + ": " + p.size() + " keys");
    }

    /**
     * keyringrc files carry comments after values ({@code backend = kernel   # why}); Properties does not
     * strip those. A {@code #} after a blank starts a comment that runs to the end of the value, escaped
     * line ends ({@code \r}, {@code \n}) included; the rest is trimmed. One linear pass: the regex
     * {@code \s+#.*$} it replaces backtracked quadratically over a long run of blanks (40 000 blanks took
     * seconds), and its {@code .} and {@code $} stopped at line ends, so trimming could bring an earlier
     * line's comment to the end of the value (found by SettingsFuzzTest).
     */
    static String stripComment(String value) {
        for (int i = 1; i < value.length(); i++) {
            if (value.charAt(i) == '#' && isRegexSpace(value.charAt(i - 1))) {
                int start = i - 1;
                while (start > 0 && isRegexSpace(value.charAt(start - 1))) start--;
                return value.substring(0, start).trim();
            }
        }
        return value.trim();
    }

    /** The regex {@code \s}: {@code [ \t\n\x0B\f\r]}. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private void put(String key, String value, String source) {
        values.put(key.trim(), new Value(value.trim(), source));
    }

    Optional<Value> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    Map<String, Value> all() {
        return values;
    }

    /** Human-readable list, highest precedence first. */
    List<String> consulted() {
        return consulted;
    }
}
