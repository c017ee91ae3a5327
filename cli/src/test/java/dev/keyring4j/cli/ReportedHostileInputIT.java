package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's table, against the built jar as a real process: each hostile input (/dev/zero, a FIFO
 * with no writer, an endless stdin) ends within 5 s with exit 2, exactly one line on stderr, no
 * stack trace and no secret; and list agrees with get over a credentials directory holding
 * {@code db.zero -> /dev/zero}.
 */
class ReportedHostileInputIT {
    private static final String SECRET = "hostile-secret-value";

    @TempDir
    Path home;

    private record Run(int exit, String out, String err) {
    }

    /** Runs the jar with {@code stdin} as its stdin (a file, e.g. /dev/zero; null for none); fails after 5 s. */
    private Run run(Map<String, String> env, File stdin, String... args) throws Exception {
        Child child = new Child(home);
        child.env.putAll(env);
        ProcessBuilder pb = new ProcessBuilder(Processes.jar(args));
        pb.environment().clear();
        pb.environment().putAll(child.env);
        File out = home.resolve("out-" + System.nanoTime()).toFile();
        File err = home.resolve("err-" + System.nanoTime()).toFile();
        pb.redirectOutput(out).redirectError(err);
        pb.redirectInput(stdin != null ? stdin : new File("/dev/null"));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("keyring4j " + String.join(" ", args) + " did not end within 5 s; stderr: "
                    + Files.readString(err.toPath(), StandardCharsets.UTF_8));
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.ISO_8859_1),
                Files.readString(err.toPath(), StandardCharsets.ISO_8859_1));
    }

    private static void assertRefusedInOneLine(Run r, String... mustSay) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), "exactly one line on stderr: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread") || r.err().contains("OutOfMemoryError"), r.err());
        assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET), "no secret in the output");
        assertFalse(r.out().indexOf('\0') >= 0 || r.err().indexOf('\0') >= 0, "no byte of the input in the output");
        for (String s : mustSay) assertTrue(r.err().contains(s), "stderr says " + s + ": " + r.err());
    }

    private Path fifo(String name) throws Exception {
        Path f = home.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return f;
    }

    @Test
    void envFileNamingDevZero() throws Exception {
        assertRefusedInOneLine(run(Map.of("KEYRING4J_Z_A_FILE", "/dev/zero", "KEYRING4J_OTHER_X", SECRET), null, "--backend", "env", "get", "z", "a"),
                "KEYRING4J_Z_A_FILE", "/dev/zero", "not a regular file", "1048576 bytes");
    }

    @Test
    void envFileNamingAFifoWithNoWriter() throws Exception {
        Path f = fifo("fifo");
        assertRefusedInOneLine(run(Map.of("KEYRING4J_Z_B_FILE", f.toString()), null, "--backend", "env", "get", "z", "b"),
                "KEYRING4J_Z_B_FILE", "FIFO", "1048576 bytes");
    }

    @Test
    void configurationFileThatIsAFifo() throws Exception {
        Path f = fifo("config-fifo");
        assertRefusedInOneLine(run(Map.of("KEYRING4J_CONFIG", f.toString()), null, "backends"), "KEYRING4J_CONFIG", "FIFO", "1048576 bytes");
    }

    @Test
    void configurationFileThatIsDevZero() throws Exception {
        assertRefusedInOneLine(run(Map.of("KEYRING4J_CONFIG", "/dev/zero"), null, "backends"), "KEYRING4J_CONFIG", "/dev/zero", "1048576 bytes");
    }

    @Test
    void configurationFileOf100MegabytesAndNamedByConfig() throws Exception {
        Path big = home.resolve("big.properties");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(100L * 1000 * 1000);
        }
        assertRefusedInOneLine(run(Map.of(), null, "--config", big.toString(), "backends"), big.toString(), "100000000 bytes", "1048576 bytes");
    }

    @Test
    void gitCredentialGetWithEndlessStdin() throws Exception {
        assertRefusedInOneLine(run(Map.of("KEYRING4J_BACKEND", "env"), new File("/dev/zero"), "git-credential", "get"),
                "git-credential's stdin", "1114112 bytes");
    }

    @Test
    void dockerCredentialGetWithEndlessStdin() throws Exception {
        // docker's protocol: a helper's error is one line on stdout and status 1 (docker shows that line)
        Run r = run(Map.of("KEYRING4J_BACKEND", "env"), new File("/dev/zero"), "docker-credential", "get");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, r.out().lines().count(), "exactly one line on stdout: " + r.out());
        assertFalse(r.err().contains("\tat ") || r.out().contains("OutOfMemoryError"), r.err());
        assertFalse(r.out().indexOf('\0') >= 0 || r.err().indexOf('\0') >= 0, "no byte of the input in the output");
        assertTrue(r.out().contains("docker-credential's stdin") && r.out().contains("6356992 bytes"), r.out());
    }

    @Test
    void setWithEndlessStdin() throws Exception {
        assertRefusedInOneLine(run(Map.of("KEYRING4J_BACKEND", "env"), new File("/dev/zero"), "set", "a", "b"),
                "the secret on stdin", "1048576 bytes");
    }

    @Test
    void provisionSystemdWithEndlessStdin() throws Exception {
        Path out = home.resolve("never.cred");
        assertRefusedInOneLine(run(Map.of(), new File("/dev/zero"), "provision-systemd", "a", "b", "--out", out.toString()),
                "the secret on stdin", "1048576 bytes");
        assertFalse(Files.exists(out), "nothing was written");
    }

    @Test
    void aSecretOfExactlyTheLimitIsStillRead() throws Exception {
        Path f = Files.write(home.resolve("one-mib"), new byte[] {'x'});
        Path big = home.resolve("limit");
        Files.write(big, "y".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII));
        Run r = run(Map.of("KEYRING4J_Z_C_FILE", big.toString(), "KEYRING4J_Z_D_FILE", f.toString()), null, "--backend", "env", "get", "z", "c");
        assertEquals(0, r.exit(), r.err());
        assertEquals((1 << 20) + 1, r.out().length());
    }

    /** The table's last row: list named db/zero, which get refused. */
    @Test
    void credentialsDirectoryWithALinkToDevZero() throws Exception {
        Path creds = Files.createDirectory(home.resolve("creds"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(creds.resolve("db.zero"), Path.of("/dev/zero"));
        Files.writeString(creds.resolve("db.app"), SECRET);
        Files.setPosixFilePermissions(creds.resolve("db.app"), PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("CREDENTIALS_DIRECTORY", creds.toString());
        Run list = run(env, null, "--backend", "systemd-creds", "list");
        assertEquals(0, list.exit(), list.err());
        List<String> listed = list.out().lines().toList();
        assertEquals(List.of("db\tapp"), listed, "list names only what get reads");
        for (String line : listed) {
            String[] id = line.split("\t");
            Run get = run(env, null, "--backend", "systemd-creds", "get", id[0], id[1]);
            assertEquals(0, get.exit(), "get reads what list named: " + get.err());
        }
        assertRefusedInOneLine(run(env, null, "--backend", "systemd-creds", "get", "db", "zero"), "db.zero", "character device, not a regular file");
    }
}
