package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Argon2Params;
import dev.keyring4j.keyset.PassphraseProtection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.support.SystemdCredsRunner;
import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, configuration keys, probe answers and the default protection. */
class ProviderTest {
    @TempDir
    Path tmp;

    @Test
    void isDiscoveredWithItsKeysAndCapabilities() {
        CredentialStoreProvider p = ServiceLoader.load(CredentialStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(x -> x.id().equals("encrypted-file")).findFirst().orElseThrow();
        assertTrue(p.settings().stream().map(dev.keyring4j.spi.Setting::key).toList().containsAll(java.util.Set.of("path", "protection", "keyfile", "argon2.memory")));
        var c = p.capabilities();
        assertTrue(c.writable() && c.persistent() && c.encryptedAtRest() && c.expiry() && c.listable());
    }

    @Test
    void theDefaultIsSystemdCredsWhereItWorksElseTheKeyFile() throws Exception {
        BackendConfig config = Fixtures.config(tmp, null);
        Availability a = new EncryptedFileProvider().probe(config).availability();
        assertTrue(a.isAvailable(), a.reason());
        assertEquals(2, a.priority());
        assertTrue(a.reason().contains("protects against"), a.reason());
        boolean systemd = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(config.env())) == null;
        assertTrue(a.reason().contains(systemd ? "systemd-creds" : "keyfile"), a.reason());
        try (EncryptedFileStore s = Fixtures.open(tmp, null)) {
            s.set("a", "b", Secret.of("c"));
        }
        String kind = systemd ? "systemd-creds" : "keyfile";
        assertTrue(Files.readString(Fixtures.storeFile(tmp)).contains("\"kind\":\"" + kind + "\""));
        Availability existing = new EncryptedFileProvider().probe(config).availability();
        assertTrue(existing.reason().contains("as the file says"), existing.reason());

        // without any usable systemd-creds (an empty PATH), the default is the key file
        Path other = tmp.resolve("nosystemd");
        Map<String, String> env = Fixtures.env(other);
        env.put("PATH", other.toString());
        BackendConfig noSystemd = BackendConfig.of("encrypted-file", Map.of(), env);
        if (SystemdCredsRunner.find(env) == null) {
            assertTrue(new EncryptedFileProvider().probe(noSystemd).availability().reason().contains("keyfile"));
        }
    }

    @Test
    void aPassphraseStoreWithoutAPassphraseSourceIsUnavailableAndSaysWhy() {
        BackendConfig config = BackendConfig.of("encrypted-file", Map.of("protection", "passphrase"), Fixtures.env(tmp));
        Availability a = new EncryptedFileProvider().probe(config).availability();
        assertFalse(a.isAvailable());
        assertTrue(a.reason().contains("KEYRING4J_PASSPHRASE"), a.reason());
    }

    @Test
    void aSystemdCredsProbeNeverStartsAProcessAndIsCached() {
        Prerequisites.requireProgram("systemd-creds");
        BackendConfig config = Fixtures.config(tmp, "systemd-creds");
        for (int i = 0; i < 100; i++) assertTrue(new EncryptedFileProvider().probe(config).availability().isAvailable());
    }

    @Test
    void badSettingsAreRefusedWithTheirSource() {
        var e = assertThrows(KeyringException.class, () -> Fixtures.open(Fixtures.config(tmp, "rot13")));
        assertTrue(e.getMessage().contains("encrypted-file.protection"), e.getMessage());
        var weak = assertThrows(KeyringException.class, () -> Fixtures.open(
                Fixtures.config(tmp, "passphrase", "argon2.memory", "1024", "argon2.iterations", "1")));
        assertTrue(weak.getMessage().contains("below"), weak.getMessage());
    }

    @Test
    void argon2idMatchesTheRfc9106ShapeAndDependsOnEveryInput() {
        byte[] salt = new byte[16];
        Argon2Params p = Argon2Params.DEFAULT;
        byte[] a = PassphraseProtection.derive("pw".toCharArray(), salt, p);
        assertEquals(32, a.length);
        assertTrue(java.util.Arrays.equals(a, PassphraseProtection.derive("pw".toCharArray(), salt, p)), "deterministic");
        assertFalse(java.util.Arrays.equals(a, PassphraseProtection.derive("pW".toCharArray(), salt, p)));
        byte[] salt2 = salt.clone();
        salt2[0] = 1;
        assertFalse(java.util.Arrays.equals(a, PassphraseProtection.derive("pw".toCharArray(), salt2, p)));
        assertFalse(java.util.Arrays.equals(a, PassphraseProtection.derive("pw".toCharArray(), salt, new Argon2Params(p.memoryKib(), 3, 1))));
    }
}
