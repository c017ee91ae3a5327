package dev.keyring4j.keyset;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.internal.RejectedInputException;
import dev.keyring4j.support.PrivateFile;
import dev.keyring4j.support.ProcessUser;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Files only their owner may read: 0600 files in 0700 directories, created that way, checked on
 * open the way ssh checks its keys (this policy is the encrypted file's and its key files'), and replaced atomically by
 * {@link PrivateFile}, so that a reader or a crash only ever sees a whole old or a whole new file.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTR = PosixFilePermissions.asFileAttribute(DIR_MODE);
    private static final FileAttribute<Set<PosixFilePermission>> PARENT_ATTR = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

    private PrivateFiles() {
    }

    /** What {@link #replace} does with the backup. */
    public enum Backup {
        /** The backup becomes the file being replaced (the last good state before this write). */
        PREVIOUS,
        /** The backup becomes the new file (after a rotation or a passphrase change, the old keys must not linger). */
        SAME
    }

    /** The type bits of {@code unix:mode}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int STICKY = 01000;

    /**
     * Refuses a file that is a symbolic link or not a regular file, that group or others may read or
     * write, or that belongs to someone other than this user or root. The file itself is examined
     * ({@code NOFOLLOW_LINKS}), never what a link points to. Does nothing when it does not exist.
     */
    public static void requirePrivateFile(Path p, String what) {
        Map<String, Object> a = attributes(p, what);
        if (a != null) checkFile(p, what, a);
    }

    private static void checkFile(Path p, String what, Map<String, Object> a) {
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) == S_IFLNK) {
            throw new AccessDeniedException(what + " " + p + " is a symbolic link; keyring4j opens its files only as themselves,"
                    + " never through a link (it could point anywhere). Put the file itself there: mv \"$(readlink -f '" + p + "')\" '" + p + "'");
        }
        if ((mode & S_IFMT) != S_IFREG) {
            throw new AccessDeniedException(what + " " + p + " is not a regular file (symbolic links and special files are refused)");
        }
        requireOwner(p, what, (Integer) a.get("uid"));
        if ((mode & 0066) != 0) {
            throw new AccessDeniedException(what + " " + p + " is accessible to group or others (mode " + String.format("%04o", mode & 07777)
                    + "); keyring4j refuses it like ssh does. Run: chmod 600 '" + p + "'");
        }
    }

    /**
     * Refuses a directory that belongs to someone other than this user or root, that is not a
     * directory, or that group or others may write (and, when {@code strict}, read or enter). A
     * symbolic link to a directory is followed: the directory it names is what is checked, and
     * {@link #requireSafeChain} checks the directories above both. Does nothing when it does not exist.
     */
    public static void requirePrivateDirectory(Path p, String what, boolean strict) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,uid");
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new AccessDeniedException("cannot check the permissions of " + what + " " + p + ": " + e.getMessage(), e);
        }
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) != S_IFDIR) throw new AccessDeniedException(what + " " + p + " is not a directory");
        requireOwner(p, what, (Integer) a.get("uid"));
        int forbidden = strict ? 0066 : 0022;
        if ((mode & forbidden) != 0) {
            throw new AccessDeniedException(what + " " + p + " is a directory accessible to group or others (mode "
                    + String.format("%04o", mode & 07777) + "); keyring4j refuses it like ssh does. Run: chmod " + (strict ? "700" : "go-w")
                    + " '" + p + "'");
        }
    }

    /**
     * Refuses a directory above {@code start} (itself included) that another user could use to put
     * something else in its place: one that group or others may write without the sticky bit, or
     * that belongs to another user than this one or root. Checked up to {@code home} when
     * {@code start} is below it, else up to {@code /}; both the path as written and the path its
     * symbolic links lead to. Directories that do not exist yet are skipped (keyring4j creates
     * them 0700, or 0755 for missing parents).
     */
    public static void requireSafeChain(Path start, Path home, String what) {
        Path p = start.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) p = p.getParent();
        if (p == null) return;
        Path h = home.toAbsolutePath().normalize();
        checkChain(p, p.startsWith(h) ? h : null, what, start);
        Path real;
        Path realHome;
        try {
            real = p.toRealPath();
            realHome = Files.exists(h) ? h.toRealPath() : h;
        } catch (IOException e) {
            throw new AccessDeniedException("cannot resolve the directories above " + what + " " + start + ": " + e.getMessage(), e);
        }
        if (!real.equals(p)) checkChain(real, real.startsWith(realHome) ? realHome : null, what, start);
    }

    private static void checkChain(Path from, Path stop, String what, Path start) {
        for (Path d = from; d != null; d = d.getParent()) {
            Map<String, Object> a = attributes(d, "directory above " + what);
            // a link is checked where it leads (the real path); its own mode means nothing, its directory is checked next
            if (a != null && ((Integer) a.get("mode") & S_IFMT) == S_IFDIR) {
                int mode = (Integer) a.get("mode");
                int uid = (Integer) a.get("uid");
                if (uid != 0 && uid != uid()) {
                    throw new AccessDeniedException("the directory " + d + " above " + what + " " + start + " belongs to uid " + uid
                            + ", who could replace what is below it; keyring4j refuses it. Move the store (encrypted-file.path) or the key"
                            + " file (encrypted-file.keyfile) below directories that only you or root own, or run: chown root '" + d + "'");
                }
                if ((mode & 0022) != 0 && (mode & STICKY) == 0) {
                    throw new AccessDeniedException("the directory " + d + " above " + what + " " + start + " is writable by group or others"
                            + " without the sticky bit (mode " + String.format("%04o", mode & 07777) + "), so another user could replace"
                            + " what is below it; keyring4j refuses it. Run: chmod go-w '" + d + "' (or move the store with encrypted-file.path)");
                }
            }
            if (d.equals(stop)) return;
        }
    }

    private static Map<String, Object> attributes(Path p, String what) {
        try {
            return Files.readAttributes(p, "unix:mode,uid,dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new AccessDeniedException("cannot check the permissions of " + what + " " + p + ": " + e.getMessage(), e);
        }
    }

    private static void requireOwner(Path p, String what, int uid) {
        if (uid != uid() && uid != 0) {
            throw new AccessDeniedException(what + " " + p + " belongs to uid " + uid + ", not to you; keyring4j refuses it like ssh does."
                    + " Run: chown \"$(id -u)\" '" + p + "'");
        }
    }

    private static int uid() {
        try {
            return ProcessUser.uid();
        } catch (IOException e) {
            throw new AccessDeniedException("cannot tell which user this process runs as: " + e.getMessage(), e);
        }
    }

    /** The largest store file read or written: about 300 000 small entries, or 48 secrets of 1 MiB; a larger write is refused. */
    public static final int MAX_STORE_BYTES = 64 << 20;
    /** The largest key file or generation record read (both hold a few dozen bytes). */
    public static final int MAX_SMALL_FILE_BYTES = 4096;

    /**
     * The content of a private file of at most {@code limit} bytes, or null when it does not exist.
     * The file is examined without following links and read through {@link BoundedInput} (which
     * refuses a FIFO or device before opening it and checks that the file read is the one examined);
     * a file replaced meanwhile (a writer's rename) is examined and read again. (With
     * {@link #requireSafeChain}, no other user can swap the file in between.)
     */
    public static byte[] readPrivateFile(Path p, String what, int limit) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Map<String, Object> before = attributes(p, what);
            if (before == null) return null;
            checkFile(p, what, before);
            byte[] content;
            try {
                content = BoundedInput.readFile(p, what + " " + p, limit, false);
            } catch (RejectedInputException e) {
                boolean raced = e.problem() == RejectedInputException.Problem.MISSING || e.problem() == RejectedInputException.Problem.REPLACED;
                if (raced && attempt < 3) continue; // replaced between the check and the read
                if (e.problem() == RejectedInputException.Problem.MISSING) return null;
                if (e.problem() == RejectedInputException.Problem.REPLACED) throw new IOException(what + " " + p + " keeps being replaced while being read", e);
                throw new IOException(e.reason(), e);
            }
            // what was read must be the file whose owner and mode were checked above
            Map<String, Object> after = attributes(p, what);
            if (after != null && before.get("dev").equals(after.get("dev")) && before.get("ino").equals(after.get("ino"))) return content;
            Arrays.fill(content, (byte) 0);
            if (attempt >= 3) throw new IOException(what + " " + p + " keeps being replaced while being read");
        }
    }

    /** Creates {@code dir} as 0700 if absent (missing parents 0755); checks it when present. */
    public static void ensurePrivateDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            try {
                if (dir.getParent() != null) createParents(dir.getParent());
                Files.createDirectory(dir, DIR_ATTR);
                Files.setPosixFilePermissions(dir, DIR_MODE); // in case the umask took owner bits away
            } catch (FileAlreadyExistsException e) {
                // another process made it; checked below
            } catch (IOException e) {
                throw new KeyringException("cannot create the " + what + " " + dir + ": " + e.getMessage(), e);
            }
        }
        requirePrivateDirectory(dir, what, true);
    }

    /** Like {@code Files.createDirectories}, but never group- or world-writable whatever the umask: such a parent would be refused. */
    private static void createParents(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        if (dir.getParent() != null) createParents(dir.getParent());
        try {
            Files.createDirectory(dir, PARENT_ATTR);
        } catch (FileAlreadyExistsException e) {
            // made by another process meanwhile
        }
    }

    /**
     * Replaces {@code target} with {@code content} atomically and durably (the one atomic 0600
     * write), and points {@code backup} at the previous or the new content (a hard link: no copy).
     */
    public static void replace(Path target, byte[] content, Path backup, Backup mode) throws IOException {
        PrivateFile.writeAtomically(target, content, PrivateFile.Sync.DURABLE,
                mode == Backup.PREVIOUS ? () -> {
                    if (Files.exists(target)) link(target, backup);
                } : null,
                mode == Backup.SAME ? () -> link(target, backup) : null);
    }

    /** Makes {@code link} a second name of {@code existing}, replacing it atomically. */
    private static void link(Path existing, Path link) throws IOException {
        Path tmp = PrivateFile.tempFor(link);
        try {
            try {
                Files.createLink(tmp, existing);
            } catch (UnsupportedOperationException | IOException e) {
                // file systems without hard links: copy (0600 like the original)
                Files.deleteIfExists(tmp);
                byte[] copy = BoundedInput.readFile(existing, "the store file " + existing, MAX_STORE_BYTES, false);
                try {
                    PrivateFile.createNew(tmp, copy);
                } finally {
                    Arrays.fill(copy, (byte) 0);
                }
            }
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes temp files a killed writer left (call only while holding the store's lock). */
    public static void removeStaleTemps(Path dir, String storeName) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + storeName + "*" + PrivateFile.TEMP_SUFFIX)) {
            for (Path p : ds) Files.deleteIfExists(p);
        } catch (IOException e) {
            // harmless leftovers; the next writer tries again
        }
    }
}
