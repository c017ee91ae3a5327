package dev.keyring4j.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-user copy of JNA's native stub: unpacked once per stub, 0700, checked before each use, never used when unsafe. */
class JnaStubCacheTest {
    private static final String ARCH_DIR = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
        case "aarch64", "arm64" -> "linux-aarch64";
        default -> "linux-x86-64";
    };

    @TempDir
    Path dir;

    @AfterEach
    void noPropertyLeftBehind() {
        assertNull(System.getProperty("jna.boot.library.path"));
        assertNull(System.getProperty("jna.boot.library.name"));
    }

    private Path jar(String name, byte[] stub) throws Exception {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry("com/sun/jna/" + ARCH_DIR + "/libjnidispatch.so"));
            j.write(stub);
            j.closeEntry();
        }
        return jar;
    }

    private static List<Path> stubs(Path cacheDir) throws Exception {
        if (!Files.isDirectory(cacheDir)) return List.of();
        try (Stream<Path> s = Files.list(cacheDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().toList();
        }
    }

    /** Runs use() and returns the two properties as JNA would see them while the binding runs. */
    private static String[] during(Path jar, Path cacheHome) throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Runnable restore = JnaStubCache.use(loader, cacheHome);
            try {
                return new String[] {System.getProperty("jna.boot.library.path"), System.getProperty("jna.boot.library.name")};
            } finally {
                restore.run();
            }
        }
    }

    @Test
    void unpacksOnceIntoAnOwnerOnlyDirectoryAndPointsJnaAtIt() throws Exception {
        byte[] content = "not really ELF, but the bytes must arrive unchanged".getBytes();
        Path jar = jar("jna with space.jar", content);
        Path cacheHome = dir.resolve("cache");
        String[] seen = during(jar, cacheHome);
        Path cacheDir = cacheHome.resolve("keyring4j/jna");
        assertEquals(cacheDir.toRealPath().toString(), seen[0]);
        List<Path> stubs = stubs(cacheDir);
        assertEquals(1, stubs.size(), stubs.toString());
        assertEquals("lib" + seen[1] + ".so", stubs.get(0).getFileName().toString());
        assertArrayEquals(content, Files.readAllBytes(stubs.get(0)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stubs.get(0))));

        FileTime written = Files.getLastModifiedTime(stubs.get(0));
        Files.setLastModifiedTime(stubs.get(0), FileTime.fromMillis(written.toMillis() - 60_000));
        assertEquals(seen[1], during(jar, cacheHome)[1], "the same jar, the same stub");
        assertEquals(written.toMillis() - 60_000, Files.getLastModifiedTime(stubs.get(0)).toMillis(), "not unpacked again");
    }

    @Test
    void theStubIsNamedByItsContentSoJarsShareItAndAnotherStubGetsItsOwn() throws Exception {
        Path cacheHome = dir.resolve("cache");
        Path cacheDir = cacheHome.resolve("keyring4j/jna");
        String first = during(jar("cli.jar", "stub of JNA 5.19".getBytes()), cacheHome)[1];
        assertEquals(first, during(jar("maven-extension.jar", "stub of JNA 5.19".getBytes()), cacheHome)[1], "the same stub in two jars");
        String other = during(jar("older-app.jar", "stub of JNA 5.14".getBytes()), cacheHome)[1];
        assertTrue(!first.equals(other), "another stub, another file");
        assertEquals(2, stubs(cacheDir).size(), stubs(cacheDir).toString());
        assertArrayEquals("stub of JNA 5.14".getBytes(), Files.readAllBytes(cacheDir.resolve("lib" + other + ".so")));
    }

    @Test
    void aShortOrReplacedStubIsUnpackedAgain() throws Exception {
        Path cacheHome = dir.resolve("cache");
        Path jar = jar("app.jar", "the real stub".getBytes());
        String name = during(jar, cacheHome)[1];
        Path stub = cacheHome.resolve("keyring4j/jna/lib" + name + ".so");
        Files.write(stub, "short".getBytes()); // a copy cut short, or changed
        assertEquals(name, during(jar, cacheHome)[1]);
        assertArrayEquals("the real stub".getBytes(), Files.readAllBytes(stub));
    }

    @Test
    void aDirectoryAboveThatOthersCanWriteToIsNotUsedUnlessSticky() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path cacheHome = shared.resolve("cache");
        assertNull(during(jar("app.jar", "x".getBytes()), cacheHome)[0], "another user could swap the directory below it");

        Files.setAttribute(shared, "unix:mode", 01777); // like /tmp: others cannot rename what is not theirs
        assertEquals(cacheHome.resolve("keyring4j/jna").toRealPath().toString(), during(jar("app.jar", "x".getBytes()), cacheHome)[0]);
    }

    @Test
    void aStubThatIsNoJarEntryOrPropertiesAlreadySetAreLeftAlone() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/com/sun/jna/" + ARCH_DIR));
        Files.write(classes.resolve("libjnidispatch.so"), new byte[] {1});
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, null)) {
            JnaStubCache.use(loader, dir.resolve("cache")).run();
        }
        assertEquals(List.of(), stubs(dir.resolve("cache/keyring4j/jna")));

        System.setProperty("jna.boot.library.path", "/somewhere/the/user/chose");
        try {
            String[] seen = during(jar("app.jar", "x".getBytes()), dir.resolve("cache"));
            assertEquals("/somewhere/the/user/chose", seen[0]);
            assertNull(seen[1]);
        } finally {
            System.clearProperty("jna.boot.library.path");
        }
    }
}
