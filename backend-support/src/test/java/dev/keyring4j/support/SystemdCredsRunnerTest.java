package dev.keyring4j.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's arguments, bounds and messages, with a stand-in program (a shell script) so that
 * every failure can be produced; the real systemd-creds is run by the backends' tests.
 */
class SystemdCredsRunnerTest {
    @TempDir
    Path tmp;

    private Path fake(String body) throws IOException {
        Path p = tmp.resolve("systemd-creds");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private SystemdCredsRunner runner(Path program, Duration timeout) {
        return new SystemdCredsRunner(program.toString(), timeout, SystemdCredsRunner.Hints.SYSTEMD_CREDS);
    }

    @Test
    void theDataGoesThroughThePipesAndTheArgumentsAreFixed() throws Exception {
        Path p = fake("echo \"$@\" >&2; [ \"$1\" = decrypt ] && [ \"$2\" = --newline=no ] && [ \"$3\" = --name=n ] || exit 9; cat");
        byte[] data = "secret\n".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(data, runner(p, Duration.ofSeconds(30)).decrypt("n", data, 100, "here"));
        Path enc = fake("[ \"$1\" = encrypt ] && [ \"$2\" = --name=n ] && [ \"$3\" = - ] && [ \"$4\" = - ] || exit 9; tr a-z A-Z");
        assertArrayEquals("ABC".getBytes(StandardCharsets.US_ASCII),
                runner(enc, Duration.ofSeconds(30)).encrypt("n", "abc".getBytes(StandardCharsets.US_ASCII), "there"));
    }

    @Test
    void failuresSayWhatWhereAndWhichKeyToChangeNeverTheData() throws Exception {
        Path failing = fake("cat >/dev/null; echo 'Failed to decrypt: bad message' >&2; exit 1");
        KeyringException e = assertThrows(KeyringException.class,
                () -> runner(failing, Duration.ofSeconds(30)).decrypt("db.app", "do-not-print".getBytes(StandardCharsets.UTF_8), 100, "/run/x"));
        assertTrue(e.getMessage().startsWith("decrypting credential 'db.app' from /run/x: " + failing + " failed with exit status 1;"
                + " it said: Failed to decrypt: bad message"), e.getMessage());
        assertFalse(e.getMessage().contains("do-not-print"));

        Path big = fake("cat >/dev/null; head -c 5000 /dev/zero");
        e = assertThrows(KeyringException.class, () -> runner(big, Duration.ofSeconds(30)).decrypt("n", new byte[1], 4096, "w"));
        assertTrue(e.getMessage().contains("the plaintext is larger than the limit of 4096 bytes (systemd-creds.max-size)"), e.getMessage());

        Path slow = fake("sleep 30");
        e = assertThrows(KeyringException.class, () -> runner(slow, Duration.ofMillis(300)).encrypt("n", new byte[1], "w"));
        assertTrue(e.getMessage().contains("did not finish within PT0.3S and was killed; raise systemd-creds.timeout"), e.getMessage());

        BackendUnavailableException absent = assertThrows(BackendUnavailableException.class,
                () -> runner(tmp.resolve("nowhere"), Duration.ofSeconds(5)).decrypt("n", new byte[1], 10, "w"));
        assertTrue(absent.getMessage().contains("cannot run '" + tmp.resolve("nowhere") + "'")
                && absent.getMessage().contains("or set systemd-creds.command"), absent.getMessage());
    }

    @Test
    void aBackendWithoutTheKeysIsNotToldToSetThem() throws Exception {
        Path slow = fake("sleep 30");
        SystemdCredsRunner r = new SystemdCredsRunner(slow.toString(), Duration.ofMillis(300), new SystemdCredsRunner.Hints(null, null, null));
        KeyringException e = assertThrows(KeyringException.class, () -> r.decrypt("n", new byte[1], 10, "w"));
        assertFalse(e.getMessage().contains("raise"), e.getMessage());
    }

    @Test
    void theProgramIsFoundOnThePathOfTheGivenEnvironment() throws Exception {
        Path p = fake("exit 0");
        assertEquals(p, SystemdCredsRunner.find(Map.of("PATH", tmp.toString())));
        assertEquals("systemd-creds is not installed", SystemdCredsRunner.unusableReason(null));
    }
}
