package dev.keyring4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the configuration reader (docs/fuzzing.md): the input is a keyringrc file named by
 * {@code --config}. {@link Settings#resolve} may throw only {@link ConfigurationException}; every value it
 * yields is trimmed and free of a trailing {@code # comment}, and parsing it as each {@link Setting} type
 * (text, path, integer, boolean, duration, choice, list) may throw only ConfigurationException, which
 * never quotes the value.
 */
class SettingsFuzzTest {
    private static final Path FILE = tempFile();
    private static final List<Setting<?>> TYPES = List.of(
            Setting.text("k", null, "text"),
            Setting.path("k", null, "path"),
            Setting.integer("k", null, "integer"),
            Setting.bool("k", null, "boolean"),
            Setting.duration("k", null, "duration"),
            Setting.choice("k", null, List.of("user", "session"), "choice"),
            Setting.list("k", null, "list"));

    @FuzzTest(maxDuration = "30s")
    void keyringrc(byte[] file) throws IOException {
        Files.write(FILE, file);
        KeyringConfig config = KeyringConfig.builder().systemFile(FILE.resolveSibling("absent-system")).userFile(FILE.resolveSibling("absent-user"))
                .environment(Map.of()).systemProperties(Map.of()).configFile(FILE).build();
        Settings settings;
        try {
            settings = Settings.resolve(config);
        } catch (ConfigurationException e) {
            return; // documented: unreadable (here: not UTF-8, or a malformed escape)
        }
        for (Map.Entry<String, Settings.Value> e : settings.all().entrySet()) {
            String value = e.getValue().value();
            assertTrue(value.equals(value.trim()), "values are trimmed");
            if (value.chars().allMatch(c -> c >= 0x20 && c < 0x7F || c == '\t')) {
                assertFalse(value.contains(" #") || value.contains("\t#"), "a trailing # comment is stripped");
            }
            BackendConfig backend = BackendConfig.of("fuzz", Map.of("k", value), Map.of());
            for (Setting<?> type : TYPES) {
                try {
                    backend.get(type);
                } catch (ConfigurationException refused) {
                    // documented: the message names key, source and what was expected
                    assertTrue(refused.getMessage().startsWith("configuration fuzz.k "), refused.getMessage());
                }
            }
        }
    }

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("keyring4j-settings-fuzz");
            dir.toFile().deleteOnExit();
            Path f = dir.resolve("keyringrc");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
