package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.PassphraseProtection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.support.SystemdCredsRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, finding 4: a leaked passphrase or key file must not open what is written after a
 * passphrase change or a rotation. The attacker here has an old copy of the store file and the
 * old passphrase / the old key file, and later reads the current store file.
 */
class KeyReplacementTest {
    @TempDir
    Path tmp;

    /** The keys an old file and its key material yield (what the attacker can compute). */
    private static Keys keysOf(byte[] file, byte[] master) throws Exception {
        StoreFile.Parsed p = StoreFile.parse(file);
        return Kek.derive(master, p.header().fileId()).open(p.keyset(), p.headerBytes());
    }

    /** Fails when any entry of {@code file} decrypts under {@code keys}. */
    private static void assertNoEntryDecrypts(byte[] file, Keys keys, String why) throws Exception {
        StoreFile.Parsed p = StoreFile.parse(file);
        assertFalse(p.entries().isEmpty());
        for (StoreFile.RawEntry r : p.entries()) {
            try {
                Entry.open(keys, p.header().fileId(), r.id(), r.ciphertext(), r.ciphertextText());
                fail(why + ": an entry of the current file decrypts under the old keys");
            } catch (GeneralSecurityException expected) {
                // the old keys do not open it
            }
        }
    }

    @Test
    void anOldCopyAndTheOldPassphraseDecryptNothingWrittenAfterAPassphraseChange() throws Exception {
        byte[] oldCopy;
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            s.set("svc", "before", Secret.of("old secret"));
            oldCopy = Files.readAllBytes(s.path());
            s.changePassphrase("the new passphrase".toCharArray());
        }
        var env = Fixtures.env(tmp);
        env.put(StoreSettings.PASSPHRASE_ENV, "the new passphrase");
        var config = dev.keyring4j.spi.BackendConfig.of(EncryptedFileProvider.ID, java.util.Map.of("protection", "passphrase"), env);
        try (var s = Fixtures.open(config)) {
            s.set("svc", "after", Secret.of("written after the change"));
            assertEquals("old secret", s.get("svc", "before").orElseThrow().asString());
        }
        StoreFile.Parsed old = StoreFile.parse(oldCopy);
        byte[] oldMaster = PassphraseProtection.derive(Fixtures.PASSPHRASE.toCharArray(), old.header().salt(), old.header().argon2());
        Keys oldKeys = keysOf(oldCopy, oldMaster);
        assertNoEntryDecrypts(Fixtures.read(Fixtures.storeFile(tmp)), oldKeys, "old copy + old passphrase");
    }

    @Test
    void anOldKeyFileOpensNothingAfterARotation() throws Exception {
        Path keyfile = tmp.resolve("keys/store.key");
        Path leaked = tmp.resolve("leaked.key");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", keyfile.toString())) {
            s.set("svc", "before", Secret.of("old secret"));
            Files.copy(keyfile, leaked);
            s.rotate();
            s.set("svc", "after", Secret.of("written after the rotation"));
            assertEquals("old secret", s.get("svc", "before").orElseThrow().asString());
        }
        byte[] current = Fixtures.read(Fixtures.storeFile(tmp));
        StoreFile.Parsed p = StoreFile.parse(current);
        Kek oldKek = Kek.derive(Files.readAllBytes(leaked), p.header().fileId());
        assertFalse(oldKek.matches(p.header().check()), "the old key file's KEK is not the current one");
        assertThrows(GeneralSecurityException.class, () -> oldKek.open(p.keyset(), p.headerBytes()), "the old key file does not open the keyset");
        // and a store pointed at the leaked key file cannot read the current file
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", leaked.toString())) {
            assertThrows(LockedException.class, () -> s.get("svc", "after"));
        }
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", keyfile.toString())) {
            assertEquals("written after the rotation", s.get("svc", "after").orElseThrow().asString());
        }
        assertFalse(Files.exists(keyfile.resolveSibling("store.key.next")), "the staged key file was renamed into place");
    }

    @Test
    void anOldSealedKeyOpensNothingAfterARotation() throws Exception {
        dev.keyring4j.testkit.Prerequisites.requireProgram("systemd-creds");
        String why = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(System.getenv()));
        dev.keyring4j.testkit.Prerequisites.require(why == null, "systemd-creds usable by this user (" + why + ")");
        byte[] oldCopy;
        try (EncryptedFileStore s = Fixtures.open(tmp, "systemd-creds")) {
            s.set("svc", "before", Secret.of("old secret"));
            oldCopy = Files.readAllBytes(s.path());
            s.rotate();
            s.set("svc", "after", Secret.of("written after the rotation"));
            assertEquals("old secret", s.get("svc", "before").orElseThrow().asString());
        }
        StoreFile.Parsed old = StoreFile.parse(oldCopy);
        byte[] oldMaster = new SystemdCredsRunner(SystemdCredsRunner.find(Fixtures.env(tmp)).toString(), java.time.Duration.ofSeconds(10),
                new SystemdCredsRunner.Hints(null, null, null)).decrypt(old.header().credentialName(),
                old.header().sealed().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1 << 20, "the test");
        byte[] current = Fixtures.read(Fixtures.storeFile(tmp));
        StoreFile.Parsed p = StoreFile.parse(current);
        assertFalse(Kek.derive(oldMaster, p.header().fileId()).matches(p.header().check()), "a new sealed master secret");
        assertNoEntryDecrypts(current, keysOf(oldCopy, oldMaster), "old copy + its unsealed key");
    }
}
