package dev.keyring4j.encryptedfile;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Files only their owner may read: 0600 files in 0700 directories, created that way, checked on
 * open the way ssh checks its keys, and replaced atomically (temp file, fsync, rename, fsync of the
 * directory) so that a reader or a crash only ever sees a whole old or a whole new file.
 */
final class PrivateFiles {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(FILE_MODE);
    private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTR = PosixFilePermissions.asFileAttribute(DIR_MODE);
    static final String TEMP_SUFFIX = ".k4jtmp";

    private PrivateFiles() {
    }

    /** What {@link #replace} does with the backup. */
    enum Backup {
        /** The backup becomes the file being replaced (the last good state before this write). */
        PREVIOUS,
        /** The backup becomes the new file (after a rotation or a passphrase change, the old keys must not linger). */
        SAME
    }

    private static volatile Integer myUid;

    private static int myUid() throws IOException {
        Integer u = myUid;
        if (u == null) {
            u = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            myUid = u;
        }
        return u;
    }

    /**
     * Refuses a file or directory that group or others may read or write, or that belongs to
     * someone other than this user or root. Does nothing when it does not exist.
     */
    static void requirePrivate(Path p, String what, boolean strictDirectory) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid");
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new AccessDeniedException("cannot check the permissions of " + what + " " + p + ": " + e.getMessage(), e);
        }
        int mode = (Integer) a.get("mode");
        int uid = (Integer) a.get("uid");
        boolean isDir = (mode & 0170000) == 0040000;
        boolean isFile = (mode & 0170000) == 0100000;
        if (!isDir && !isFile) {
            throw new AccessDeniedException(what + " " + p + " is not a regular " + (strictDirectory ? "directory" : "file")
                    + " (symbolic links and special files are refused)");
        }
        try {
            if (uid != myUid() && uid != 0) {
                throw new AccessDeniedException(what + " " + p + " belongs to uid " + uid + ", not to you; keyring4j refuses it like ssh does."
                        + " Run: chown \"$(id -u)\" '" + p + "'");
            }
        } catch (IOException e) {
            throw new AccessDeniedException("cannot tell which user this process runs as: " + e.getMessage(), e);
        }
        int forbidden = isDir && !strictDirectory ? 0022 : 0066;
        if ((mode & forbidden) != 0) {
            String want = isDir ? (strictDirectory ? "700" : "go-w") : "600";
            throw new AccessDeniedException(what + " " + p + " is " + (isDir ? "a directory " : "") + "accessible to group or others (mode "
                    + String.format("%04o", mode & 07777) + "); keyring4j refuses it like ssh does. Run: chmod " + want + " '" + p + "'");
        }
    }

    /** Creates {@code dir} as 0700 if absent (parents with the usual mode); checks it when present. */
    static void ensurePrivateDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            try {
                if (dir.getParent() != null) Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, DIR_ATTR);
                Files.setPosixFilePermissions(dir, DIR_MODE); // in case the umask took owner bits away
            } catch (FileAlreadyExistsException e) {
                // another process made it; checked below
            } catch (IOException e) {
                throw new KeyringException("cannot create the " + what + " " + dir + ": " + e.getMessage(), e);
            }
        }
        requirePrivate(dir, what, true);
    }

    /** Writes a new 0600 file that must not exist yet, durably. */
    static void createNew(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTR)) {
            writeFully(ch, content);
            ch.force(true);
        }
        fsyncDirectory(file.getParent());
    }

    /**
     * Replaces {@code target} with {@code content} atomically and durably, and points
     * {@code backup} at the previous or the new content (a hard link: no copy).
     */
    static void replace(Path target, byte[] content, Path backup, Backup mode) throws IOException {
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime()) + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTR)) {
                writeFully(ch, content);
                ch.force(true);
            }
            if (mode == Backup.PREVIOUS && Files.exists(target)) link(target, backup);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            if (mode == Backup.SAME) link(target, backup);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes {@code link} a second name of {@code existing}, replacing it atomically. */
    private static void link(Path existing, Path link) throws IOException {
        Path tmp = link.resolveSibling("." + link.getFileName() + "." + Long.toHexString(System.nanoTime()) + TEMP_SUFFIX);
        try {
            try {
                Files.createLink(tmp, existing);
            } catch (UnsupportedOperationException | IOException e) {
                // file systems without hard links: copy (0600 like the original)
                Files.deleteIfExists(tmp);
                try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTR)) {
                    writeFully(ch, Files.readAllBytes(existing));
                    ch.force(true);
                }
            }
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes temp files a killed writer left (call only while holding the store's lock). */
    static void removeStaleTemps(Path dir, String storeName) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + storeName + "*" + TEMP_SUFFIX)) {
            for (Path p : ds) Files.deleteIfExists(p);
        } catch (IOException e) {
            // harmless leftovers; the next writer tries again
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) ch.write(buf);
    }
}
