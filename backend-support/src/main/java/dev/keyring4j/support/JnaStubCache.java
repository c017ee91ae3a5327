package dev.keyring4j.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * JNA's native stub ({@code libjnidispatch.so}), kept once per user in
 * {@code ${XDG_CACHE_HOME:-~/.cache}/keyring4j/jna/} instead of unpacked by JNA into a new temporary
 * file on every start. That unpacking (a {@code SecureRandom} for the file name, a copy, a delete hook)
 * is about 15 ms of every cold start that touches the kernel.
 *
 * <p>The cached file is named after the jar entry's CRC and size, so a JNA only ever loads the stub it
 * ships, and it is used only when its size still matches. The cache is used only when this uid owns
 * the directory and its mode is 0700, and every directory above it is this uid's or root's and not
 * writable by others (or sticky), so no other user can swap a component (the uid is {@link ProcessUser}'s); anything else (no home, a
 * foreign or shared directory, a stub that is not a jar entry, any I/O error) leaves JNA to unpack
 * as it always does. Holds no JNA type.
 */
final class JnaStubCache {
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final String BOOT_PATH = "jna.boot.library.path";
    private static final String BOOT_NAME = "jna.boot.library.name";
    private static final Runnable NOTHING = () -> { };

    private JnaStubCache() {
    }

    /**
     * Points JNA at the cached stub ({@code jna.boot.library.path} and {@code jna.boot.library.name}),
     * unpacking it there the first time. Returns what removes those two properties again (each only if it
     * still holds this value); the caller keeps the window to JNA's own initialisation. Does nothing when
     * either property is set or the cache cannot be used safely.
     */
    static Runnable use(ClassLoader loader) {
        return use(loader, cacheHome());
    }

    /** {@link #use(ClassLoader)} with the cache under {@code cacheHome} (the role of {@code XDG_CACHE_HOME}); null for none. */
    static Runnable use(ClassLoader loader, Path cacheHome) {
        if (cacheHome == null || loader == null || System.getProperty(BOOT_PATH) != null || System.getProperty(BOOT_NAME) != null) return NOTHING;
        try {
            URL url = loader.getResource("com/sun/jna/" + platform() + "/libjnidispatch.so");
            if (url == null || !url.getProtocol().equals("jar")) return NOTHING;
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false); // its own JarFile, closed below: nothing stays open
            try (JarFile jar = connection.getJarFile()) {
                JarEntry entry = jar.getJarEntry(connection.getEntryName());
                if (entry == null || entry.getCrc() < 0 || entry.getSize() <= 0) return NOTHING;
                long size = entry.getSize();
                Path dir = directory(cacheHome);
                if (dir == null) return NOTHING;
                String name = "jnidispatch-" + Long.toHexString(entry.getCrc()) + "-" + size;
                Path stub = dir.resolve("lib" + name + ".so");
                if (!usable(stub, size)) unpack(jar, entry, dir, stub);
                if (!usable(stub, size)) return NOTHING;
                String path = dir.toString();
                System.setProperty(BOOT_PATH, path);
                System.setProperty(BOOT_NAME, name);
                return () -> {
                    // only ours: a value someone set meanwhile stays
                    if (path.equals(System.getProperty(BOOT_PATH))) System.clearProperty(BOOT_PATH);
                    if (name.equals(System.getProperty(BOOT_NAME))) System.clearProperty(BOOT_NAME);
                };
            }
        } catch (IOException | RuntimeException e) {
            return NOTHING; // JNA unpacks into its temporary directory, as without the cache
        }
    }

    private static String platform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x86-64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> throw new IllegalStateException("no cached stub for " + arch);
        };
    }

    /** As the launcher finds its class data archives: {@code $XDG_CACHE_HOME}, else {@code $HOME/.cache}; null without either. */
    private static Path cacheHome() {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        String home = System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home");
        if (cacheHome != null && cacheHome.startsWith("/")) return Path.of(cacheHome);
        return home == null || !home.startsWith("/") ? null : Path.of(home, ".cache");
    }

    /** The cache directory, created 0700 if missing; null unless it and the way to it are safe (class comment). */
    private static Path directory(Path base) throws IOException {
        Path dir = base.resolve("keyring4j").resolve("jna");
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        int me = ProcessUser.uid();
        Path real = dir.toRealPath();
        Map<String, Object> own = Files.readAttributes(real, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        if ((int) own.get("uid") != me || ((int) own.get("mode") & 07777) != 0700) return null;
        for (Path p = real.getParent(); p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (int) a.get("uid");
            int mode = (int) a.get("mode");
            boolean othersWrite = (mode & 0022) != 0;
            boolean sticky = (mode & 01000) != 0;
            if ((uid != me && uid != 0) || (othersWrite && !sticky)) return null;
        }
        return real;
    }

    /** A regular file (no link) of this uid, writable by nobody else, of the entry's size. */
    private static boolean usable(Path stub, long size) throws IOException {
        if (!Files.isRegularFile(stub, LinkOption.NOFOLLOW_LINKS)) return false;
        Map<String, Object> a = Files.readAttributes(stub, "unix:uid,mode,size", LinkOption.NOFOLLOW_LINKS);
        return (int) a.get("uid") == ProcessUser.uid() && ((int) a.get("mode") & 0022) == 0 && (long) a.get("size") == size;
    }

    /** Copies the stub out of the jar (temporary file, flushed to disk, then rename); clears leftovers of killed copies. */
    private static void unpack(JarFile jar, JarEntry entry, Path dir, Path stub) throws IOException {
        Path temp = Files.createTempFile(dir, ".jnidispatch", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            try (InputStream in = jar.getInputStream(entry); OutputStream out = Files.newOutputStream(temp)) {
                in.transferTo(out); // into the 0700 file createTempFile made (Files.copy would replace it with a 0644 one)
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true); // a crash never leaves a short stub under the final name
            }
            Files.move(temp, stub, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        FileTime hourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".jnidispatch*.tmp")) {
            for (Path leftover : leftovers) {
                if (Files.getLastModifiedTime(leftover, LinkOption.NOFOLLOW_LINKS).compareTo(hourAgo) < 0) Files.deleteIfExists(leftover);
            }
        }
    }
}
