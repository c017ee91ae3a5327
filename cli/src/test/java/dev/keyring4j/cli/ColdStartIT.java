package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call does only what it needs (docs/performance.md): a named backend loads no other backend's
 * libraries, no JFR machinery is loaded while no recording runs, JNA binds libc without forking
 * {@code ldconfig}, and the launcher's AppCDS archive, stale, foreign or damaged, never changes an
 * answer or breaks a run. Every case runs the built jar or the launcher as a real process.
 */
class ColdStartIT {
    private static final List<String> LIBRARIES = List.of("org.freedesktop.dbus.", "com.sun.jna.", "com.google.crypto.tink.",
            "com.fasterxml.jackson.", "dev.keyring4j.secretservice.BusConnection", "dev.keyring4j.kernel.KeyctlSyscalls",
            "dev.keyring4j.encryptedfile.Keys", "dev.keyring4j.OperationEvent", "jdk.jfr.internal.");

    @TempDir
    Path dir;

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("HOME", dir.resolve("home").toString());
        m.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        m.put("XDG_DATA_HOME", dir.resolve("data").toString());
        m.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-bus"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** The classes a child JVM running the jar with {@code args} loaded, by name. */
    private List<String> loadedBy(Map<String, String> env, int expectedExit, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "classes", ".log");
        List<String> cmd = new ArrayList<>(List.of(Processes.java().toString(), "-Xlog:class+load=info:file=" + log, "-jar",
                System.getProperty("keyring4j.cli.jar")));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(cmd, env, null);
        assertEquals(expectedExit, r.exit(), r.err());
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("] ");
            int end = line.indexOf(" source:");
            if (at >= 0 && end > at) names.add(line.substring(at + 2, end));
        }
        assertTrue(names.contains("dev.keyring4j.cli.Main"), "the log lists the classes: " + names.size());
        return names;
    }

    private static List<String> matching(List<String> classes, List<String> prefixes) {
        return classes.stream().filter(c -> prefixes.stream().anyMatch(c::startsWith)).toList();
    }

    @Test
    void envGetLoadsNoDBusJnaTinkJacksonOrJfrClass() throws Exception {
        List<String> classes = loadedBy(env("KEYRING4J_SVC_ACCT", "v"), 0, "--backend", "env", "get", "svc", "acct");
        assertEquals(List.of(), matching(classes, LIBRARIES));
        assertTrue(classes.contains("dev.keyring4j.env.EnvStore"), "the env store itself is loaded");
    }

    @Test
    void kernelGetLoadsJnaButNoDBusTinkOrJacksonClass() throws Exception {
        Prerequisites.requireProgram("keyctl");
        List<String> classes = loadedBy(env(), 1, "--backend", "kernel", "get", "coldstart.example", "nobody");
        assertTrue(classes.contains("dev.keyring4j.kernel.KeyctlSyscalls"), "the kernel backend's syscalls are bound");
        assertEquals(List.of(), matching(classes, List.of("org.freedesktop.dbus.", "com.google.crypto.tink.", "com.fasterxml.jackson.",
                "dev.keyring4j.secretservice.BusConnection", "dev.keyring4j.encryptedfile.Keys", "jdk.jfr.internal.")));
    }

    /** Without jna.platform.library.path JNA forks `ldconfig -p` when it loads libc; neither JNA user may. */
    @Test
    void noLdconfigIsExecuted() throws Exception {
        Path strace = Prerequisites.requireProgram("strace");
        for (List<String> args : List.of(List.of("--backend", "kernel", "get", "coldstart.example", "nobody"),
                List.of("get", "coldstart.example", "nobody"))) {
            Path trace = Files.createTempFile(dir, "execve", ".trace");
            List<String> cmd = new ArrayList<>(List.of(strace.toString(), "-f", "-qq", "-e", "trace=execve", "-o", trace.toString(),
                    Processes.java().toString(), "-jar", System.getProperty("keyring4j.cli.jar")));
            cmd.addAll(args);
            Processes.Result r = Processes.run(cmd, env(), null);
            assertEquals(1, r.exit(), args + ": " + r.err());
            String execs = Files.readString(trace);
            assertTrue(execs.contains("execve("), "strace saw the JVM start: " + execs);
            assertFalse(execs.contains("ldconfig"), args + " ran ldconfig:\n" + execs);
        }
    }

    /**
     * JNA's native stub is unpacked once into the user's cache and loaded from there afterwards: no run after the
     * first writes a temporary copy of it (NativeLibc.bind, JnaStubCache).
     */
    @Test
    void jnaLoadsItsStubFromTheUserCacheInsteadOfUnpackingItEveryRun() throws Exception {
        Path strace = Prerequisites.requireProgram("strace");
        Prerequisites.requireProgram("keyctl");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache").resolve("keyring4j").resolve("jna");
        for (int run = 1; run <= 2; run++) {
            Path trace = Files.createTempFile(dir, "openat", ".trace");
            List<String> cmd = List.of(strace.toString(), "-f", "-qq", "-e", "trace=openat", "-o", trace.toString(),
                    Processes.java().toString(), "-Djava.io.tmpdir=" + tmp, "-jar", System.getProperty("keyring4j.cli.jar"),
                    "--backend", "kernel", "get", "coldstart.example", "nobody");
            Processes.Result r = Processes.run(cmd, env("XDG_CACHE_HOME", dir.resolve("cache").toString()), null);
            assertEquals(1, r.exit(), r.err());
            List<String> opens = Files.readAllLines(trace);
            List<String> stubs;
            try (var s = Files.list(cache)) {
                stubs = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("libjnidispatch-") && n.endsWith(".so")).toList();
            }
            assertEquals(1, stubs.size(), "one cached stub after run " + run + ": " + stubs);
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
            if (run == 2) {
                List<String> written = opens.stream().filter(l -> l.contains(tmp.toString()) && l.contains("O_CREAT")).toList();
                assertEquals(List.of(), written, "JNA unpacked its stub into the temporary directory again");
                String stub = cache.resolve(stubs.get(0)).toString();
                assertTrue(opens.stream().anyMatch(l -> l.contains('"' + stub + '"') && !l.contains("ENOENT")), "the cached stub is loaded: " + stub);
            }
        }
    }

    // ------------------------------------------------------------------ the launcher's class data archive

    private Processes.Result launch(Path archive, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("keyring4j.launcher")));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, env("KEYRING4J_SVC_ACCT", "the-secret", "KEYRING4J_CDS_ARCHIVE", archive.toString()), null);
    }

    private void assertAnswers(Processes.Result r, String what) {
        assertEquals(0, r.exit(), what + ": " + r.err());
        assertEquals("the-secret\n", r.out(), what + ": stdout holds the secret and nothing else");
    }

    /** An archive the launcher must use as it is: newer than the jar. */
    private static void newerThanTheJar(Path archive) throws Exception {
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plus(Duration.ofDays(1))));
    }

    @Test
    void theLauncherDumpsAnArchiveOnceAndAnswersWithIt() throws Exception {
        Path archive = dir.resolve("fresh.jsa");
        Processes.Result first = launch(archive, "--backend", "env", "get", "svc", "acct");
        assertAnswers(first, "the run that dumps the archive");
        assertTrue(first.err().contains("dumping the class data archive"), first.err());
        assertTrue(Files.size(archive) > 1_000_000, "an archive of the command's classes was written");
        Processes.Result second = launch(archive, "--backend", "env", "get", "svc", "acct");
        assertAnswers(second, "a run that maps the archive");
        assertFalse(second.err().contains("dumping"), "the archive is dumped once: " + second.err());
    }

    @Test
    void aStaleArchiveIsDumpedAgain() throws Exception {
        Path archive = dir.resolve("stale.jsa");
        Files.write(archive, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Processes.Result r = launch(archive, "--backend", "env", "get", "svc", "acct");
        assertAnswers(r, "an archive older than the jar");
        assertTrue(r.err().contains("dumping the class data archive"), r.err());
        assertTrue(Files.size(archive) > 1_000_000, "replaced by a real archive");
    }

    @Test
    void aDamagedForeignOrEmptyArchiveStillGivesTheRightAnswer() throws Exception {
        Path good = dir.resolve("good.jsa");
        assertAnswers(launch(good, "--backend", "env", "get", "svc", "acct"), "dumping a good archive");
        byte[] bytes = Files.readAllBytes(good);

        Path flipped = dir.resolve("flipped.jsa");
        byte[] damaged = bytes.clone();
        for (int i = 0; i < damaged.length; i += 4096) damaged[i] ^= 0x5A; // header and every page
        Files.write(flipped, damaged);
        Path truncated = dir.resolve("truncated.jsa");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Path garbage = dir.resolve("garbage.jsa");
        Files.write(garbage, new java.util.Random(11).ints(200_000).collect(java.io.ByteArrayOutputStream::new,
                (o, v) -> o.write(v), (a, b) -> a.writeBytes(b.toByteArray())).toByteArray());
        Path empty = Files.createFile(dir.resolve("empty.jsa"));
        // foreign: dumped by the same JVM for another jar (a copy elsewhere: another class path)
        Path otherJar = Files.copy(Path.of(System.getProperty("keyring4j.cli.jar")), dir.resolve("other.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path foreign = dir.resolve("foreign.jsa");
        Processes.Result dump = Processes.run(List.of(Processes.java().toString(), "-XX:ArchiveClassesAtExit=" + foreign, "-Xlog:disable",
                "-cp", otherJar.toString(), "dev.keyring4j.cli.Training"), env(), null);
        assertEquals(0, dump.exit(), dump.err());
        assertTrue(Files.size(foreign) > 0);

        // the launcher's own check (the size written at dump time) catches a truncated or replaced archive and dumps again;
        // with the recorded size made to match, the JVM's checks (-XX:+VerifySharedSpaces, the header) must catch it
        for (Path archive : List.of(flipped, truncated, garbage, empty, foreign)) {
            for (boolean sizeMatches : new boolean[] {false, true}) {
                // a truncated archive the JVM maps crashes it (SIGBUS): only the launcher's size check stands in its way,
                // and a dump writes the size of what it wrote, so a matching size for it cannot arise
                if (sizeMatches && archive.equals(truncated)) continue;
                Path used = dir.resolve("used.jsa");
                Files.copy(archive, used, StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(dir.resolve("used.jsa.size"), sizeMatches ? Files.size(used) + "\n" : Files.size(good) + "\n");
                newerThanTheJar(used);
                Processes.Result r = launch(used, "--backend", "env", "get", "svc", "acct");
                assertAnswers(r, archive.getFileName() + (sizeMatches ? " (size matching)" : ""));
                if (sizeMatches) assertFalse(r.err().contains("dumping"), "used as it is, the JVM rejected it: " + r.err());
            }
        }
    }
}
