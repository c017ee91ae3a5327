package dev.keyring4j.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * JNA's native stub ({@code libjnidispatch.so}), kept once per user in {@code ${XDG_CACHE_HOME:-~/.cache}/keyring4j/jna/}
 * instead of unpacked by JNA into a new temporary file on every start. That unpacking (a {@code SecureRandom}
 * for the file name, a 250 KB copy, a delete hook) is about 15 ms of every cold start that touches the kernel.
 *
 * <p>The cached file is named after the jar it came from (its path, then its size and modification time), so a
 * different JNA never loads a stub that does not match it, and a rebuilt jar replaces its own earlier stub. The directory is used only when it is this user's and
 * nobody else can write to it (0700); anything unusual (no home, a read-only or foreign directory, a
 * stub that is not a jar entry) leaves JNA to unpack as it always does. Holds no JNA type.
 */
final class JnaStubCache {
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private JnaStubCache() {
    }

    /**
     * Points JNA at the cached stub ({@code jna.boot.library.path} and {@code jna.boot.library.name}), unpacking
     * it there the first time. Returns what removes those two properties again once JNA has loaded its stub,
     * so that another JNA in this JVM (another class loader, another version) never finds one that is not
     * its own; does nothing when either property is set or the cache cannot be used safely.
     */
    static Runnable use(ClassLoader loader) {
        return use(loader, cacheHome());
    }

    /** {@link #use(ClassLoader)} with the cache under {@code cacheHome} (the role of {@code XDG_CACHE_HOME}); null for none. */
    static Runnable use(ClassLoader loader, Path cacheHome) {
        if (cacheHome == null || System.getProperty(BOOT_PATH) != null || System.getProperty(BOOT_NAME) != null) return () -> { };
        try {
            String resource = "com/sun/jna/" + platform() + "/libjnidispatch.so";
            URL url = loader == null ? null : loader.getResource(resource);
            if (url == null || !url.getProtocol().equals("jar")) return () -> { };
            Path jar = jarOf(url);
            Path dir = jar == null ? null : directory(cacheHome);
            if (dir == null) return () -> { };
            BasicFileAttributes jarAttributes = Files.readAttributes(jar, BasicFileAttributes.class);
            String prefix = "jnidispatch-" + hex((jar + "\0" + resource).hashCode()) + "-";
            String name = prefix + hex(Long.hashCode(jarAttributes.size() * 31 + jarAttributes.lastModifiedTime().toMillis()));
            Path stub = dir.resolve("lib" + name + ".so");
            if (!Files.isRegularFile(stub, LinkOption.NOFOLLOW_LINKS)) unpack(url, dir, stub, "lib" + prefix + "*.so");
            System.setProperty(BOOT_PATH, dir.toString());
            System.setProperty(BOOT_NAME, name);
            return () -> {
                System.clearProperty(BOOT_PATH);
                System.clearProperty(BOOT_NAME);
            };
        } catch (IOException | RuntimeException e) {
            return () -> { }; // JNA unpacks into its temporary directory, as without the cache
        }
    }

    private static final String BOOT_PATH = "jna.boot.library.path";
    private static final String BOOT_NAME = "jna.boot.library.name";

    private static String hex(int value) {
        String hex = Integer.toHexString(value); // not String.format: its first use costs milliseconds in a cold JVM
        return "0".repeat(8 - hex.length()) + hex;
    }

    private static String platform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x86-64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> throw new IllegalStateException("no cached stub for " + arch);
        };
    }

    private static Path jarOf(URL url) {
        // jar:file:/path/to/x.jar!/com/sun/jna/...: the outer file URL, without opening the jar
        String spec = url.getFile();
        int bang = spec.indexOf("!/");
        if (bang < 0 || !spec.startsWith("file:")) return null;
        try {
            return Path.of(new URI(spec.substring(0, bang)));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** As the launcher finds its class data archives: {@code $XDG_CACHE_HOME}, else {@code $HOME/.cache}; null without either. */
    private static Path cacheHome() {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        String home = System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home");
        if (cacheHome != null && cacheHome.startsWith("/")) return Path.of(cacheHome);
        return home == null || !home.startsWith("/") ? null : Path.of(home, ".cache");
    }

    /** The cache directory, created 0700 if missing; null unless it is this user's and only this user's. */
    private static Path directory(Path base) throws IOException {
        Path dir = base.resolve("keyring4j").resolve("jna");
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (AccessDeniedException e) {
            return null;
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory() || !attributes.permissions().equals(OWNER_ONLY)) return null;
        // this process's effective uid is the owner of /proc/self
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return me.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)) ? dir : null;
    }

    /** Copies the stub out of the jar (temporary file, then rename) and removes the ones earlier versions of the same jar left. */
    private static void unpack(URL url, Path dir, Path stub, String sameJar) throws IOException {
        Path temp = Files.createTempFile(dir, ".jnidispatch", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            URL noCache = new URL(url.toString());
            JarURLConnection connection = (JarURLConnection) noCache.openConnection();
            connection.setUseCaches(false); // closes its jar when done
            try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(temp)) {
                in.transferTo(out); // into the 0700 file createTempFile made (Files.copy would replace it with a 0644 one)
            }
            Files.move(temp, stub, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (DirectoryStream<Path> others = Files.newDirectoryStream(dir, sameJar)) {
            for (Path other : others) {
                if (!other.equals(stub)) Files.deleteIfExists(other); // a process that mapped it keeps its mapping
            }
        }
    }
}
