package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration and bus-address resolution (no bus needed: these only read settings and the file system). */
class SecretServiceSettingsTest {
    private static BackendConfig config(Map<String, String> settings, Map<String, String> env) {
        return BackendConfig.of("secret-service", settings, env);
    }

    @Test
    void defaults() {
        SecretServiceSettings s = SecretServiceSettings.from(config(Map.of(), Map.of()));
        assertEquals("dh-ietf1024-sha256-aes128-cbc-pkcs7", s.sessionAlgorithm());
        assertFalse(s.promptAllowed());
        assertEquals(Duration.ofSeconds(5), s.timeout());
        assertEquals(Duration.ofMinutes(2), s.promptTimeout());
        assertEquals(Duration.ofSeconds(5), s.confirmTimeout());
        assertEquals("keyring4j", s.application());
        assertTrue(s.collection().isEmpty());
        // every key accepted before is declared once; probe-timeout is now the common key Backends reads
        List<String> declared = new SecretServiceProvider().settings().stream().map(Setting::key).toList();
        assertEquals(List.of("collection", "session", "prompt", "prompt-timeout", "confirm-timeout", "timeout", "application"), declared);
        assertTrue(BackendConfig.COMMON.stream().anyMatch(c -> c.key().equals("probe-timeout")));
    }

    @Test
    void malformedValuesNameTheKey(@TempDir Path dir) {
        for (Map<String, String> bad : List.of(Map.of("prompt", "maybe"), Map.of("timeout", "0"), Map.of("prompt-timeout", "PT0S"), Map.of("confirm-timeout", "0"),
                Map.of("session", "aes"), Map.of("application", " "), Map.of("collection", ""))) {
            KeyringException e = assertThrows(KeyringException.class, () -> SecretServiceSettings.from(config(bad, Map.of())));
            String key = bad.keySet().iterator().next();
            assertTrue(e.getMessage().contains("secret-service." + key), e.getMessage());
        }
        // the common probe-timeout is checked by discovery, before anything is probed
        KeyringException e = assertThrows(KeyringException.class, () -> Keyring.backends(KeyringConfig.builder().environment(Map.of())
                .set("secret-service.probe-timeout", "soon").userFile(dir.resolve("none")).systemFile(dir.resolve("none")).build()));
        assertTrue(e.getMessage().contains("secret-service.probe-timeout"), e.getMessage());
    }

    @Test
    void addressFromTheEnvironmentPrefersAPathSocketAmongAlternatives(@TempDir Path dir) throws Exception {
        Path bus = Files.createFile(dir.resolve("bus"));
        String list = "unix:abstract=/tmp/dbus-abc,guid=00;unix:path=" + bus + ",guid=11";
        assertEquals("unix:path=" + bus + ",guid=11", SecretServiceSettings.busAddress(config(Map.of(), Map.of("DBUS_SESSION_BUS_ADDRESS", list))));
    }

    @Test
    void addressFallsBackToXdgRuntimeDirBus(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("bus"));
        assertEquals("unix:path=" + dir.resolve("bus"), SecretServiceSettings.busAddress(config(Map.of(), Map.of("XDG_RUNTIME_DIR", dir.toString()))));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> SecretServiceSettings.busAddress(config(Map.of(), Map.of("XDG_RUNTIME_DIR", dir.resolve("nope").toString()))));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void escapedPathsAreUnderstood(@TempDir Path dir) throws Exception {
        Path bus = Files.createFile(dir.resolve("my bus"));
        String escaped = "unix:path=" + dir.toString() + "/my%20bus";
        assertEquals(escaped, SecretServiceSettings.busAddress(config(Map.of(), Map.of("DBUS_SESSION_BUS_ADDRESS", escaped))));
        assertTrue(Files.exists(bus));
    }

    @Test
    void unsupportedTransportsAreUnavailableWithTheReason() {
        BackendUnavailableException tcp = assertThrows(BackendUnavailableException.class,
                () -> SecretServiceSettings.busAddress(config(Map.of(), Map.of("DBUS_SESSION_BUS_ADDRESS", "tcp:host=localhost,port=1234"))));
        assertTrue(tcp.getMessage().contains("only unix:path="), tcp.getMessage());
        BackendUnavailableException abs = assertThrows(BackendUnavailableException.class,
                () -> SecretServiceSettings.busAddress(config(Map.of(), Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/tmp/dbus-x,guid=ab"))));
        assertTrue(abs.getMessage().contains("abstract socket") && abs.getMessage().endsWith("(see docs/troubleshooting.md#unavailable)"), abs.getMessage());
    }

    @Test
    void namesDBusCannotCarryAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NameCheck.check("service", "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> NameCheck.check("service", "lone \uD800 high"));
        assertThrows(IllegalArgumentException.class, () -> NameCheck.check("service", "lone \uDC00 low"));
        assertThrows(IllegalArgumentException.class, () -> NameCheck.check("service", ""));
        NameCheck.check("service", "astral 😀 ok");
    }

    @Test
    void newestTieBreakFollowsCreationOrderOfItemPaths() {
        assertTrue(SecretServiceStore.laterPath("/org/freedesktop/secrets/collection/login/10", "/org/freedesktop/secrets/collection/login/9"));
        assertFalse(SecretServiceStore.laterPath("/org/freedesktop/secrets/collection/login/2", "/org/freedesktop/secrets/collection/login/11"));
    }
}
