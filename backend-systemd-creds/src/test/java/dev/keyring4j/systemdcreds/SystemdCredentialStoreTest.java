package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading real credential directories: plain files, credentials encrypted by the real systemd-creds, order, find, read-only. */
class SystemdCredentialStoreTest {
    @TempDir
    Path tmp;

    /** Encrypts with the real {@code systemd-creds encrypt}, as an administrator would, and returns the ciphertext. */
    static byte[] encryptWithSystemdCreds(String name, byte[] plaintext) throws Exception {
        Path program = Prerequisites.requireProgram("systemd-creds");
        Process p = new ProcessBuilder(program.toString(), "encrypt", "--name=" + name, "-", "-").start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(plaintext);
        }
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "systemd-creds encrypt failed: " + err);
        return out;
    }

    @Test
    void plainFilesInCredentialsDirectoryAreReadByteForByte() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        byte[] withNewline = "s3cret\n".getBytes(UTF_8);
        byte[] binary = {0, 1, 2, (byte) 0xFF, '\n', 0};
        CredentialFiles.write(cd, "myapp.db", withNewline);
        CredentialFiles.write(cd, "github%2Ecom.alice", binary);
        try (CredentialStore s = CredentialFiles.open(cd)) {
            assertArrayEquals(withNewline, s.get("myapp", "db").orElseThrow().asBytes(), "no newline is stripped");
            assertArrayEquals(binary, s.get("github.com", "alice").orElseThrow().asBytes());
            assertEquals(Optional.empty(), s.get("myapp", "other"));
            assertEquals(Optional.empty(), s.get("github%2Ecom", "alice"), "a % in a name is escaped, never taken as an escape");
            assertEquals(Set.of(new CredentialId("myapp", "db"), new CredentialId("github.com", "alice")), Set.copyOf(s.list()));
            assertEquals(List.of(new CredentialId("github.com", "alice")), s.list("github.com"));
            assertEquals("systemd-creds", s.id());
            assertFalse(s.capabilities().writable());
            assertTrue(s.capabilities().listable());
        }
    }

    @Test
    void filesThatAreNotMappedNamesAreNotListed() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        for (String name : List.of("a.b.c", "lower%2ecase.x", "..data", "sp ace.x", "ok.fine")) {
            CredentialFiles.write(cd, name, "v".getBytes(UTF_8));
        }
        CredentialFiles.dir(cd, "a.directory");
        try (CredentialStore s = CredentialFiles.open(cd)) {
            assertEquals(List.of(new CredentialId("ok", "fine")), s.list());
        }
    }

    @Test
    void credentialEncryptedByRealSystemdCredsInEncryptedCredstoreIsDecrypted() throws Exception {
        Path root = CredentialFiles.dir(tmp, "credstore");
        Path encrypted = CredentialFiles.dir(tmp, "credstore.encrypted");
        byte[] secret = "encrypted\u0000 secret\n".getBytes(UTF_8);
        String name = SystemdCredentials.credentialName("db.example", "app user");
        CredentialFiles.write(encrypted, name, encryptWithSystemdCreds(name, secret));
        CredentialFiles.write(root, "plain.one", "p".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("credstore", "true", "credstore-dirs", root.toString()))) {
            assertArrayEquals(secret, s.get("db.example", "app user").orElseThrow().asBytes());
            assertEquals("p", s.get("plain", "one").orElseThrow().asString());
            assertEquals(Set.of(new CredentialId("db.example", "app user"), new CredentialId("plain", "one")), Set.copyOf(s.list()));
        }
    }

    @Test
    void dotCredFileInSecretDirectoryIsDecrypted() throws Exception {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        String name = SystemdCredentials.credentialName("svc", "cred"); // the account that is spelled %63red
        CredentialFiles.write(secrets, name + ".cred", encryptWithSystemdCreds(name, "x".getBytes(UTF_8)));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            assertEquals("x", s.get("svc", "cred").orElseThrow().asString());
            assertEquals(List.of(new CredentialId("svc", "cred")), s.list("svc"));
        }
    }

    @Test
    void encryptedCredentialUnderAnotherNameIsAnErrorWithSystemdCredsOwnReason() throws Exception {
        Path encrypted = CredentialFiles.dir(tmp, "store.encrypted");
        CredentialFiles.dir(tmp, "store");
        // an administrator copied bar's credential to foo: systemd-creds refuses, and so do we, loudly
        CredentialFiles.write(encrypted, "foo.x", encryptWithSystemdCreds("bar.x", "do-not-print-me".getBytes(UTF_8)));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("credstore", "true", "credstore-dirs", tmp.resolve("store").toString()))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("foo", "x"));
            assertTrue(e.getMessage().contains("decrypting credential 'foo.x'"), e.getMessage());
            assertTrue(e.getMessage().contains("does not match"), "systemd-creds' stderr is in the message: " + e.getMessage());
            assertTrue(e.getMessage().endsWith("(see docs/troubleshooting.md#store-error)"), e.getMessage());
            assertFalse(e.getMessage().contains("do-not-print-me"));
        }
    }

    @Test
    void damagedEncryptedCredentialIsAnErrorNotAbsent() {
        Prerequisites.requireProgram("systemd-creds");
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "svc.acct.cred", "not a credential".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("svc", "acct"));
            assertTrue(e.getMessage().contains("failed with exit status"), e.getMessage());
        }
    }

    @Test
    void sourcesAreReadInOrderAndTheFirstThatHasTheCredentialAnswers() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        Path run = CredentialFiles.dir(tmp, "run-secrets");
        Path other = CredentialFiles.dir(tmp, "other");
        Path store = CredentialFiles.dir(tmp, "credstore");
        CredentialFiles.write(cd, "a.x", "from credentials directory".getBytes(UTF_8));
        CredentialFiles.write(run, "a.x", "from run".getBytes(UTF_8));
        CredentialFiles.write(run, "b.x", "from run".getBytes(UTF_8));
        CredentialFiles.write(other, "b.x", "from other".getBytes(UTF_8));
        CredentialFiles.write(other, "c.x", "from other".getBytes(UTF_8));
        CredentialFiles.write(store, "c.x", "from credstore".getBytes(UTF_8));
        CredentialFiles.write(store, "d.x", "from credstore".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(cd, Map.of("dirs", run + ", " + other, "credstore", "true",
                "credstore-dirs", store.toString()))) {
            assertEquals("from credentials directory", s.get("a", "x").orElseThrow().asString());
            assertEquals("from run", s.get("b", "x").orElseThrow().asString());
            assertEquals("from other", s.get("c", "x").orElseThrow().asString());
            assertEquals("from credstore", s.get("d", "x").orElseThrow().asString());
            assertEquals(List.of(new CredentialId("a", "x"), new CredentialId("b", "x"), new CredentialId("c", "x"),
                    new CredentialId("d", "x")), s.list(), "listed once each, in source order");
        }
    }

    @Test
    void credstoresAreIgnoredUnlessEnabled() {
        Path store = CredentialFiles.dir(tmp, "credstore");
        CredentialFiles.write(store, "d.x", "v".getBytes(UTF_8));
        Path cd = CredentialFiles.dir(tmp, "cd");
        try (CredentialStore s = CredentialFiles.open(cd, Map.of("credstore-dirs", store.toString()))) {
            assertEquals(Optional.empty(), s.get("d", "x"), "credstore defaults to false");
        }
    }

    @Test
    void findReturnsTheServicesOwnCredentialWithItsAccountFromDotId() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "bunny", "token".getBytes(UTF_8));
        CredentialFiles.write(cd, "bunny.id", "alice\n".getBytes(UTF_8));
        CredentialFiles.write(cd, "bunny.bob", "bob's".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(cd)) {
            Credential c = s.find("bunny").orElseThrow();
            assertEquals(new CredentialId("bunny", "alice"), c.id());
            assertEquals("token", c.secret().asString());
            assertEquals("token", s.get("bunny", "alice").orElseThrow().asString(), "get agrees with find");
            assertEquals("bob's", s.get("bunny", "bob").orElseThrow().asString());
            assertEquals(List.of(new CredentialId("bunny", "alice"), new CredentialId("bunny", "bob")), s.list("bunny"),
                    "bunny.id names the account; it is not listed as a credential of its own");
        }
    }

    @Test
    void findWithoutDotIdUsesTheAccountDefault() {
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        CredentialFiles.write(secrets, "github_token", "ghp_x".getBytes(UTF_8)); // docker secret create github_token …
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", secrets.toString()))) {
            Credential c = s.find("github_token").orElseThrow();
            assertEquals(new CredentialId("github_token", "default"), c.id());
            assertEquals("ghp_x", c.secret().asString());
            assertEquals(List.of(new CredentialId("github_token", "default")), s.list());
            assertEquals(Optional.empty(), s.find("github"));
        }
    }

    @Test
    void aServicesOwnCredentialIsReadOnlyForItsAccount() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "svc", new byte[(1 << 20) + 1]);
        try (CredentialStore s = CredentialFiles.open(cd)) {
            assertEquals(Optional.empty(), s.get("svc", "someone"), "another account does not touch the service's own credential");
            KeyringException e = assertThrows(KeyringException.class, () -> s.get("svc", "default"));
            assertTrue(e.getMessage().contains("larger than the limit"), e.getMessage());
            assertThrows(KeyringException.class, () -> s.find("svc"));
        }
    }

    @Test
    void findFallsBackToAnyAccountOfTheService() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "svc.only", "one".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(cd)) {
            Credential c = s.find("svc").orElseThrow();
            assertEquals(new CredentialId("svc", "only"), c.id());
            assertEquals("one", c.secret().asString());
        }
    }

    @Test
    void writesAreRefusedWithHowToProvision() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        try (CredentialStore s = CredentialFiles.open(cd)) {
            ReadOnlyStoreException set = assertThrows(ReadOnlyStoreException.class, () -> s.set("github.com", "alice", Secret.of("do-not-print-me")));
            assertTrue(set.getMessage().contains("systemd-creds encrypt --name=github%2Ecom.alice - /etc/credstore.encrypted/github%2Ecom.alice"),
                    set.getMessage());
            assertTrue(set.getMessage().contains("LoadCredentialEncrypted=github%%2Ecom.alice:/etc/credstore.encrypted/github%%2Ecom.alice"),
                    set.getMessage());
            assertTrue(set.getMessage().endsWith("(see docs/troubleshooting.md#read-only)"), set.getMessage());
            assertFalse(set.getMessage().contains("do-not-print-me"));
            ReadOnlyStoreException del = assertThrows(ReadOnlyStoreException.class, () -> s.delete("github.com", "alice"));
            assertTrue(del.getMessage().contains("LoadCredential"), del.getMessage());
            // issue 10: read-only refuses the ttl form like every write (it used to say "cannot expire")
            ReadOnlyStoreException ttl = assertThrows(ReadOnlyStoreException.class, () -> s.set("a", "b", Secret.of("x"), java.time.Duration.ofMinutes(1)));
            assertTrue(ttl.getMessage().contains("LoadCredentialEncrypted="), ttl.getMessage());
            assertEquals(List.of(), s.list(), "nothing was written");
        }
    }

    @Test
    void secretContentNeverAppearsInToString() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "a.b", "do-not-print-me".getBytes(UTF_8));
        try (CredentialStore s = CredentialFiles.open(cd)) {
            s.get("a", "b").orElseThrow();
            assertFalse(s.toString().contains("do-not-print-me"));
            assertFalse(s.find("a").orElseThrow().toString().contains("do-not-print-me"));
        }
    }
}
