package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files of {@code keyring4j-file/1} still open; the next write upgrades them (and moves a key file store to its own key file). */
class Version1UpgradeTest {
    @TempDir
    Path tmp;

    @Test
    void aVersion1StoreWithTheNameDerivedKeyFileStillOpensAndMovesToItsOwnKeyFileOnItsNextWrite() throws Exception {
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set("svc", "acct", Secret.of("from version 1"));
        }
        Path file = Fixtures.storeFile(tmp);
        Path own = Fixtures.keyfile(tmp);
        Path legacy = tmp.resolve("config/keyring4j/credentials.k4j.key");
        V1.downgrade(file, own, legacy);
        Files.deleteIfExists(new GenerationRecord(StoreSettings.from(Fixtures.config(tmp, "keyfile")).generationRecord()).file());
        assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/1\""));

        byte[] legacyKey = Files.readAllBytes(legacy);
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("from version 1", s.get("svc", "acct").orElseThrow().asString(), "a version 1 file opens with its old key file");
            assertTrue(Files.readString(file).startsWith("{\"format\":\"keyring4j-file/1\""), "reading does not rewrite it");
            s.set("svc", "new", Secret.of("after the upgrade"));
        }
        StoreFile.Parsed p = StoreFile.parse(Files.readAllBytes(file));
        assertEquals(StoreFile.VERSION, p.header().version(), "upgraded on the next write");
        assertTrue(p.generation() >= 1);
        assertFalse(Kek.derive(legacyKey, p.header().fileId()).matches(p.header().check()), "the shared old key file no longer opens it");
        assertTrue(Files.exists(Fixtures.keyfile(tmp)), "its own key file");
        assertTrue(Files.exists(legacy), "the old key file is left for other stores of the same name");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            assertEquals("from version 1", s.get("svc", "acct").orElseThrow().asString());
            assertEquals("after the upgrade", s.get("svc", "new").orElseThrow().asString());
        }
        assertNotEquals(-1, Files.readString(file).indexOf("\"generation\":"));
    }
}
