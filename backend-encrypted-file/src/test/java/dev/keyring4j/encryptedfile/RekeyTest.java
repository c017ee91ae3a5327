package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.LockedException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EncryptedFileStore#rekey}: a new file id, master secret and keysets; a crash during a rotation loses no key. */
class RekeyTest {
    @TempDir
    Path tmp;

    @Test
    void rekeyGivesAKeyFileStoreANewFileIdAndKeyFile() throws Exception {
        byte[] oldFile;
        Path oldKey;
        byte[] oldMaster;
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            for (int i = 0; i < 5; i++) s.set("svc", "acct" + i, Secret.of("v" + i));
            oldFile = Files.readAllBytes(s.path());
            oldKey = Fixtures.keyfile(tmp);
            oldMaster = Files.readAllBytes(oldKey);
            s.rekey();
            for (int i = 0; i < 5; i++) assertEquals("v" + i, s.get("svc", "acct" + i).orElseThrow().asString());
        }
        StoreFile.Parsed before = StoreFile.parse(oldFile);
        StoreFile.Parsed after = StoreFile.parse(Fixtures.read(Fixtures.storeFile(tmp)));
        assertFalse(java.util.Arrays.equals(before.header().fileId(), after.header().fileId()), "a new file id");
        assertFalse(Files.exists(oldKey), "the old file id's key file is removed");
        Path newKey = Fixtures.keyfile(tmp);
        assertTrue(Files.exists(newKey));
        assertFalse(java.util.Arrays.equals(oldMaster, Files.readAllBytes(newKey)), "a new master secret");
        assertThrows(GeneralSecurityException.class,
                () -> Kek.derive(oldMaster, after.header().fileId()).open(after.keyset(), after.headerBytes()));
        assertArrayEquals(Fixtures.read(Fixtures.storeFile(tmp)), Fixtures.read(Fixtures.storeFile(tmp).resolveSibling("credentials.k4j.bak")),
                "the backup holds nothing under the old keys");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("v3", s.get("svc", "acct3").orElseThrow().asString(), "a new instance opens the rekeyed store");
        }
        // the file from before the rekey is another store now: refused like a rollback
        Files.write(Fixtures.storeFile(tmp), oldFile);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertThrows(dev.keyring4j.KeyringException.class, () -> s.get("svc", "acct0"));
        }
    }

    @Test
    void rekeyOfAPassphraseStoreChecksThePassphraseAndTakesANewSalt() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            s.set("svc", "acct", Secret.of("kept"));
        }
        StoreFile.Parsed before = StoreFile.parse(Fixtures.read(Fixtures.storeFile(tmp)));
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            s.rekey();
        }
        StoreFile.Parsed after = StoreFile.parse(Fixtures.read(Fixtures.storeFile(tmp)));
        assertFalse(java.util.Arrays.equals(before.header().fileId(), after.header().fileId()));
        assertFalse(java.util.Arrays.equals(before.header().salt(), after.header().salt()));
        try (EncryptedFileStore s = Fixtures.open(tmp, "passphrase")) {
            assertEquals("kept", s.get("svc", "acct").orElseThrow().asString(), "the same passphrase opens it");
        }
        // a store unlocked earlier, whose passphrase source now gives a wrong one, cannot rekey
        var env = Fixtures.env(tmp);
        char[][] answer = {Fixtures.PASSPHRASE.toCharArray()};
        var config = dev.keyring4j.spi.BackendConfig.builder(EncryptedFileProvider.ID).env(env).set("protection", "passphrase", "test")
                .component(PassphraseProvider.class, (p, purpose) -> answer[0].clone()).build();
        try (EncryptedFileStore s = Fixtures.open(config)) {
            assertEquals("kept", s.get("svc", "acct").orElseThrow().asString());
            answer[0] = "not the passphrase".toCharArray();
            assertThrows(LockedException.class, s::rekey);
            assertEquals("kept", s.get("svc", "acct").orElseThrow().asString(), "nothing changed");
        }
    }

    @Test
    void aRotationInterruptedBeforeTheKeyFileRenameStillOpens() throws Exception {
        Path keyfile = tmp.resolve("keys/store.key");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", keyfile.toString())) {
            s.set("svc", "acct", Secret.of("v"));
        }
        // what a crash between writing the store file and renaming <key>.next leaves: the new store file, the old key file and .next
        byte[] oldKey = Files.readAllBytes(keyfile);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", keyfile.toString())) {
            s.rotate();
        }
        Files.copy(keyfile, keyfile.resolveSibling("store.key.next"));
        Files.write(keyfile, oldKey);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile", "keyfile", keyfile.toString())) {
            assertEquals("v", s.get("svc", "acct").orElseThrow().asString());
        }
        assertFalse(Files.exists(keyfile.resolveSibling("store.key.next")), "the rename was finished");
        assertFalse(java.util.Arrays.equals(oldKey, Files.readAllBytes(keyfile)));
    }
}
