package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SystemdCredentials#provision}: its output is decrypted by the real {@code systemd-creds decrypt} to the original secret. */
class SystemdCredentialsProvisionTest {
    @TempDir
    Path tmp;
    private Path systemdCreds;

    @BeforeEach
    void requireSystemdCreds() {
        systemdCreds = Prerequisites.requireProgram("systemd-creds");
    }

    /** What systemd does for LoadCredentialEncrypted=NAME:FILE: decrypt FILE, checking the embedded NAME. */
    private Result decrypt(String name, Path file) throws Exception {
        Process p = new ProcessBuilder(systemdCreds.toString(), "decrypt", "--name=" + name, file.toString(), "-").start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    private record Result(int exit, byte[] out, String err) {
    }

    @Test
    void outputDecryptsToTheOriginalSecretUnderTheMappedName() throws Exception {
        byte[] secret = {'g', 'h', 'p', '_', 0, (byte) 0xC3, (byte) 0xA9, '\n'};
        Path out = tmp.resolve("github.cred");
        String line = SystemdCredentials.provision("github.com", "alice", Secret.of(secret), out);
        assertEquals("LoadCredentialEncrypted=github%%2Ecom.alice:" + out.toAbsolutePath(), line);

        Result r = decrypt("github%2Ecom.alice", out);
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(secret, r.out(), "systemd-creds decrypt returns exactly the secret");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));

        Result wrongName = decrypt("github%2Ecom.bob", out);
        assertTrue(wrongName.exit() != 0, "the name is embedded: systemd refuses it under another name");
    }

    @Test
    void outputIsReadByTheStoreFromAnEncryptedCredstoreAndAsDotCred() throws Exception {
        Path root = CredentialFiles.dir(tmp, "credstore");
        Path encrypted = CredentialFiles.dir(tmp, "credstore.encrypted");
        Path secrets = CredentialFiles.dir(tmp, "secrets");
        String name = SystemdCredentials.credentialName("db", "app user");
        SystemdCredentials.provision("db", "app user", Secret.of("pg-pass"), encrypted.resolve(name));
        SystemdCredentials.provision("cache", "x", Secret.of(""), secrets.resolve(SystemdCredentials.credentialName("cache", "x") + ".cred"));
        try (CredentialStore s = CredentialFiles.open(null, Map.of("credstore", "true", "credstore-dirs", root.toString(),
                "dirs", secrets.toString()))) {
            assertEquals("pg-pass", s.get("db", "app user").orElseThrow().asString());
            assertEquals(0, s.get("cache", "x").orElseThrow().length(), "an empty secret survives the round trip");
        }
    }

    @Test
    void replacesAnExistingFileAndEscapesPercentInTheUnitLine() throws Exception {
        Path dir = CredentialFiles.dir(tmp, "100%");
        Path out = dir.resolve("a.cred");
        Files.writeString(out, "old");
        String line = SystemdCredentials.provision("a%b", "c", Secret.of("new"), out);
        assertEquals("LoadCredentialEncrypted=a%%25b.c:" + tmp.toAbsolutePath() + "/100%%/a.cred", line);
        Result r = decrypt("a%25b.c", out);
        assertEquals(0, r.exit(), r.err());
        assertEquals("new", new String(r.out(), UTF_8));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void returnedLineIsAcceptedBySystemdInAUnitFile() throws Exception {
        Path analyze = Prerequisites.requireProgram("systemd-analyze");
        Path out = CredentialFiles.dir(tmp, "store%dir").resolve("x");
        String line = SystemdCredentials.provision("github.com", "a:b/c", Secret.of("t"), out);
        Path unit = CredentialFiles.write(tmp, "keyring4j-provision-test.service",
                ("[Service]\nExecStart=/bin/true\n" + line + "\n").getBytes(UTF_8));
        Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // an unescaped % makes systemd warn "Failed to resolve unit specifiers … ignoring" and drop the line
        assertFalse(said.contains("specifier") || said.contains("ignoring") || said.contains(unit.getFileName().toString()), said);
        assertEquals(0, p.exitValue(), said);
    }

    @Test
    void failuresAreClearAndNeverContainTheSecret() {
        Path out = tmp.resolve("no-such-dir").resolve("x.cred");
        KeyringException e = assertThrows(KeyringException.class,
                () -> SystemdCredentials.provision("svc", "acct", Secret.of("do-not-print-me"), out));
        assertTrue(e.getMessage().contains("cannot write the encrypted credential to " + out), e.getMessage());
        assertFalse(e.getMessage().contains("do-not-print-me"));

        Path target = tmp.resolve("y.cred");
        assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.provision("", "acct", Secret.of("x"), target));
        assertThrows(IllegalArgumentException.class, () -> SystemdCredentials.provision("s".repeat(300), "acct", Secret.of("x"), target));
        assertFalse(Files.exists(target), "nothing is written for a refused name");
    }
}
