package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyring4j-<version>.tar.gz}, unpacked into an empty directory far from the source checkout and run
 * from there, with a PATH that holds only a {@code java} link and the base system: nothing it needs comes
 * from the checkout, Maven or the test's JVM settings. Also: the AppCDS archive goes to $XDG_CACHE_HOME, and
 * a damaged archive of the right size only costs speed.
 */
class TarballIT {
    @TempDir
    Path dir;

    @Test
    void unpackedIntoAnEmptyDirectoryItRunsFromThere() throws Exception {
        Path unpack = unpack();
        Path root = unpack.resolve("keyring4j-" + Distributions.version());
        for (String f : List.of("bin/keyring4j", "bin/docker-credential-keyring4j", "lib/keyring4j.jar", "share/man/man1/keyring4j.1.gz",
                "share/bash-completion/completions/keyring4j", "share/zsh/vendor-completions/_keyring4j", "LICENSE", "NOTICE")) {
            assertTrue(Files.isRegularFile(root.resolve(f)), "the tarball holds " + f);
        }
        assertTrue(Files.isExecutable(root.resolve("bin/keyring4j")));
        try (Stream<Path> top = Files.list(unpack)) {
            assertEquals(List.of(root), top.toList(), "everything under one keyring4j-<version>/ directory");
        }

        // PATH: a directory with only java in it, then the base system (bash, readlink, mkdir, wc)
        Path javaBin = Files.createDirectories(dir.resolve("java-only"));
        Files.createSymbolicLink(javaBin.resolve("java"), Processes.java());
        Path work = Files.createDirectories(dir.resolve("empty-cwd"));
        Map<String, String> env = launcherEnv(javaBin + ":/usr/bin:/bin");
        List<String> launcher = List.of("/usr/bin/env", "-C", work.toString(), root.resolve("bin/keyring4j").toString());

        Processes.Result version = Distributions.ok(cat(launcher, "--version"), env, null);
        assertTrue(version.out().startsWith("keyring4j " + Distributions.version() + "\ncommit "), version.out());
        Processes.Result get = Distributions.ok(cat(launcher, "--backend", "env", "get", "tarball.example", "alice"), env, null);
        assertEquals("from-env\n", get.out());
        Processes.Result docker = Distributions.ok(List.of(root.resolve("bin/docker-credential-keyring4j").toString(), "list"), env, null);
        assertTrue(docker.out().startsWith("{"), docker.out());
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(0, left.count(), "nothing written to the working directory");
        }

        // the class data archive: under $XDG_CACHE_HOME/keyring4j, one per version and java
        Path archive;
        try (Stream<Path> cached = Files.list(dir.resolve("cache/keyring4j"))) {
            archive = cached.filter(p -> p.getFileName().toString().endsWith(".jsa")).findFirst().orElseThrow(
                    () -> new AssertionError("no class data archive under $XDG_CACHE_HOME/keyring4j"));
        }
        assertTrue(archive.getFileName().toString().startsWith("keyring4j-" + Distributions.version()), archive.toString());
        // damaged in place, same size (so the launcher keeps it): the JVM refuses it and runs without
        byte[] junk = new byte[(int) Files.size(archive)];
        new java.util.Random(16).nextBytes(junk);
        Files.write(archive, junk);
        get = Distributions.ok(cat(launcher, "--backend", "env", "get", "tarball.example", "alice"), env, null);
        assertEquals("from-env\n", get.out(), get.err());
        // an unwritable cache directory: no archive, the command still runs
        env.put("XDG_CACHE_HOME", "/proc/no-such-cache");
        get = Distributions.ok(cat(launcher, "--backend", "env", "get", "tarball.example", "alice"), env, null);
        assertEquals("from-env\n", get.out(), get.err());
    }

    @Test
    void aTildeInPathAndABusyBoxReadlinkAreHandled() throws Exception {
        Path unpack = unpack();
        Path home = Files.createDirectories(dir.resolve("home"));
        Path bin = Files.createDirectories(home.resolve("fakebin"));
        Path used = dir.resolve("used");
        // java and readlink as wrappers that leave a mark: ~/fakebin must be searched (PATH holds it with a literal ~),
        // and a readlink that, like BusyBox's, takes one file only must still give both paths
        Files.writeString(bin.resolve("java"), "#!/bin/bash\necho java >> " + used + "\nexec " + Processes.java() + " \"$@\"\n");
        // BusyBox's readlink takes exactly one file: given two, it prints its usage and fails
        Path readlink = Prerequisites.requireProgram("readlink");
        Files.writeString(bin.resolve("readlink"), "#!/bin/bash\necho readlink >> " + used + "\n"
                + "files=(); for a; do case $a in -*) ;; *) files+=(\"$a\") ;; esac; done\n"
                + "[ ${#files[@]} -eq 1 ] || { echo 'Usage: readlink [-fnv] FILE' >&2; exit 1; }\n"
                + "exec " + readlink + " -f -- \"${files[0]}\"\n");
        for (String f : List.of("java", "readlink")) {
            Files.setPosixFilePermissions(bin.resolve(f), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Map<String, String> env = launcherEnv("~/fakebin:/usr/bin:/bin");
        Path launcher = unpack.resolve("keyring4j-" + Distributions.version() + "/bin/keyring4j");
        Processes.Result get = Distributions.ok(List.of(launcher.toString(), "--backend", "env", "get", "tarball.example", "alice"), env, null);
        assertEquals("from-env\n", get.out(), get.err());
        List<String> marks = Files.readAllLines(used);
        assertTrue(marks.contains("java"), "the java in ~/fakebin ran: " + marks);
        assertEquals(3, marks.stream().filter("readlink"::equals).count(), "one refused call with both files, then one per file: " + marks);
        // the archive is named after the java that was resolved: the wrapper, not an empty path
        try (Stream<Path> cached = Files.list(dir.resolve("cache/keyring4j"))) {
            List<String> names = cached.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa")).toList();
            assertEquals(1, names.size(), names.toString());
            assertTrue(names.get(0).contains("fakebin_java"), names.toString());
        }
    }

    @Test
    void withoutJavaItSaysWhatToInstall() throws Exception {
        Path unpack = unpack();
        // a PATH with the tools the launcher uses before it looks for java, and no java; no JAVA_HOME
        Path noJava = Files.createDirectories(dir.resolve("no-java"));
        for (String tool : List.of("bash", "readlink", "dirname")) {
            Files.createSymbolicLink(noJava.resolve(tool), Prerequisites.requireProgram(tool));
        }
        Processes.Result r = Processes.run(List.of(noJava.resolve("bash").toString(), unpack.resolve("keyring4j-" + Distributions.version() + "/bin/keyring4j").toString(), "--version"),
                Map.of("PATH", noJava.toString(), "HOME", dir.toString(), "JAVA_HOME", ""), null);
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("no java found") && r.err().contains("JAVA_HOME"), r.err());
    }

    /** The tarball unpacked into a new {@code opt/} under the test's directory; returns {@code opt/}. */
    private Path unpack() throws Exception {
        Prerequisites.requireProgram("tar");
        Path unpack = Files.createDirectories(dir.resolve("opt"));
        Distributions.ok(List.of("tar", "-xzf", Distributions.tarball().toString(), "-C", unpack.toString()), Map.of(), null);
        return unpack;
    }

    /**
     * The launcher's environment: {@code path}, no JAVA_HOME (not Maven's: the java on PATH), HOME and the XDG
     * directories under the test's directory, and the env backend's credential tarball.example/alice.
     */
    private Map<String, String> launcherEnv(String path) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        env.put("JAVA_HOME", "");
        env.put("HOME", dir.resolve("home").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        env.put("KEYRING4J_TARBALL_EXAMPLE_ALICE", "from-env");
        return env;
    }

    private static List<String> cat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
