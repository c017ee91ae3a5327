package dev.keyring4j.systemdcreds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.Setting;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the backend is available, at which priority, and what it says when it is not. */
class ProbeTest {
    @TempDir
    Path tmp;

    private Availability probe(Path credentialsDirectory, Map<String, String> settings) {
        return CredentialFiles.PROVIDER.probe(CredentialFiles.config(credentialsDirectory, settings)).availability();
    }

    @Test
    void credentialsDirectoryGivesPriority20() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Availability a = probe(cd, Map.of("dirs", secrets.toString()));
        assertTrue(a.isAvailable());
        assertEquals(20, a.priority());
        assertTrue(a.reason().contains(cd + " ($CREDENTIALS_DIRECTORY), then " + secrets + " (systemd-creds.dirs)"), a.reason());
    }

    @Test
    void onlyExtraDirectoriesGiveTheLowerConfigurablePriority() {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        Availability a = probe(null, Map.of("dirs", secrets.toString()));
        assertTrue(a.isAvailable());
        assertEquals(15, a.priority());
        assertTrue(a.reason().contains("$CREDENTIALS_DIRECTORY is not set"), a.reason());
        assertEquals(7, probe(null, Map.of("dirs", secrets.toString(), "priority-without-credentials-directory", "7")).priority());

        Path store = CredentialFiles.dir(tmp, "credstore");
        Availability c = probe(null, Map.of("credstore", "true", "credstore-dirs", store.toString()));
        assertTrue(c.isAvailable());
        assertEquals(15, c.priority());
        assertTrue(c.reason().contains(store + " (credstore)") && c.reason().contains("absent: " + store + ".encrypted"), c.reason());
    }

    @Test
    void nothingConfiguredIsUnavailableWithTheReason() {
        Availability a = probe(null, Map.of());
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("$CREDENTIALS_DIRECTORY is not set") && a.reason().contains("systemd-creds.dirs"), a.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> CredentialFiles.open(null));
        assertTrue(e.getMessage().contains("$CREDENTIALS_DIRECTORY is not set")
                && e.getMessage().endsWith("(see docs/troubleshooting.md#unavailable)"), e.getMessage());
    }

    @Test
    void missingCredentialsDirectoryIsUnavailable() {
        Path missing = tmp.resolve("gone");
        Availability a = probe(missing, Map.of());
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("$CREDENTIALS_DIRECTORY=" + missing + " does not exist"), a.reason());
        assertFalse(probe(Path.of("relative/dir"), Map.of()).isAvailable());
        assertThrows(BackendUnavailableException.class, () -> CredentialFiles.open(missing));
    }

    @Test
    void absentExtraDirectoriesAreNotedAndUnavailableWhenNothingElseExists() {
        Path missing = tmp.resolve("run-secrets");
        Availability a = probe(null, Map.of("dirs", missing.toString()));
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("none of the configured directories exists: " + missing), a.reason());
        Path cd = CredentialFiles.dir(tmp, "cd");
        Availability b = probe(cd, Map.of("dirs", missing.toString()));
        assertTrue(b.isAvailable());
        assertTrue(b.reason().contains("absent: " + missing), b.reason());
    }

    @Test
    void malformedSettingsFailNamingTheKeyAndItsSource() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        KeyringException rel = assertThrows(KeyringException.class, () -> probe(cd, Map.of("dirs", "run/secrets")));
        assertTrue(rel.getMessage().contains("systemd-creds.dirs (from programmatic) must be a comma-separated list of absolute"),
                rel.getMessage());
        assertThrows(KeyringException.class, () -> probe(cd, Map.of("credstore", "maybe")));
        assertThrows(KeyringException.class, () -> probe(cd, Map.of("timeout", "soon")));
        assertThrows(KeyringException.class, () -> probe(cd, Map.of("timeout", "0")));
        assertThrows(KeyringException.class, () -> probe(cd, Map.of("priority-without-credentials-directory", "high")));
    }

    @Test
    void configKeysAreDeclaredAndUnknownOnesAreRefused() {
        assertEquals(Set.of("dirs", "credstore", "credstore-dirs", "max-size", "priority-without-credentials-directory", "timeout",
                "command"), CredentialFiles.PROVIDER.settings().stream().map(Setting::key).collect(Collectors.toSet()));
        KeyringConfig bad = KeyringConfig.builder().environment(Map.of("HOME", tmp.toString())).systemProperties(Map.of())
                .userFile(tmp.resolve("u")).systemFile(tmp.resolve("s")).set("systemd-creds.dir", "/run/secrets").build();
        KeyringException e = assertThrows(KeyringException.class, () -> Keyring.backends(bad));
        assertTrue(e.getMessage().contains("unknown configuration key 'systemd-creds.dir'") && e.getMessage().contains("dirs"),
                e.getMessage());
    }

    @Test
    void discoveredThroughServiceLoaderAndConfiguredThroughKeyringConfig() {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        KeyringConfig config = KeyringConfig.builder().environment(Map.of("HOME", tmp.toString())).systemProperties(Map.of())
                .userFile(tmp.resolve("u")).systemFile(tmp.resolve("s"))
                .set("systemd-creds.dirs", secrets.toString())
                .set("systemd-creds.priority-without-credentials-directory", "12").build();
        BackendStatus s = Keyring.backends(config).stream().filter(b -> b.id().equals("systemd-creds")).findFirst().orElseThrow();
        assertTrue(s.available(), s.reason());
        assertEquals(12, s.priority());
        assertFalse(s.capabilities().writable());
        assertTrue(s.capabilities().listable());
    }
}
