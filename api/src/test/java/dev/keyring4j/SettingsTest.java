package dev.keyring4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration reader on input found by SettingsFuzzTest (docs/fuzzing.md) and by review of it. */
class SettingsTest {

    private static Settings read(Path dir, String text) throws Exception {
        Path file = dir.resolve("keyring.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return Settings.resolve(KeyringConfig.builder().systemFile(dir.resolve("none-system")).userFile(dir.resolve("none-user"))
                .environment(Map.of()).systemProperties(Map.of()).configFile(file).build());
    }

    /** Was an IllegalArgumentException out of Properties.load, with a stack trace from the CLI. */
    @Test
    void aMalformedUnicodeEscapeIsAConfigurationError(@TempDir Path dir) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(dir, "env.prefix = x\\u12\n"));
        assertTrue(e.getMessage().contains("keyring.properties") && e.getMessage().contains("\\uXXXX"), e.getMessage());
    }

    /** Was an InvalidPathException that quoted the value. */
    @Test
    void aPathWithANulIsRefusedWithoutQuotingIt() {
        BackendConfig c = BackendConfig.of("fuzz", Map.of("path", "/tmp/secret-ish\0x"), Map.of());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> c.get(Setting.path("path", null, "a path")));
        assertFalse(e.getMessage().contains("secret-ish"), e.getMessage());
        assertTrue(e.getMessage().contains("fuzz.path"), e.getMessage());
    }

    /** The comment regex backtracked quadratically: 40 000 blanks took seconds, 1 MiB would take most of an hour. */
    @Test
    void aLongRunOfBlanksIsReadInLinearTime(@TempDir Path dir) {
        String value = "x" + " ".repeat(1_000_000) + "y";
        Settings s = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> read(dir, "kernel.keyring = " + value + "   # why\n"));
        assertEquals(value, s.get("kernel.keyring").orElseThrow().value());
    }

    /** The one-pass comment stripper cuts at the first blank-then-#, across escaped line ends, as this regex would. */
    @Test
    void stripCommentCutsAtTheFirstBlankThenHash() {
        char[] alphabet = {' ', '\t', '#', '#', 'a', 'b', '\n', '\r', '\f', '\u000B', '\u0085', '\u2028', '\u2029'};
        SplittableRandom random = new SplittableRandom(17);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            int len = random.nextInt(12);
            for (int i = 0; i < len; i++) b.append(alphabet[random.nextInt(alphabet.length)]);
            String v = b.toString();
            assertEquals(v.replaceFirst("(?s)\\s+#.*", "").trim(), Settings.stripComment(v), () -> "for " + v.chars().mapToObj(c -> String.format("%04x", c)).toList());
        }
    }
}
