package dev.keyring4j.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one atomic 0600 write of keyring4j's backends. {@link #writeAtomically} guarantees that a
 * reader, or a crash at any moment, sees either the whole old file or the whole new one, never a
 * part: the content goes to a temp file created 0600 ({@code O_EXCL}, whatever the umask) in the
 * target's directory, is fsync'd, renamed over the target (a symbolic link at the target is
 * replaced, never followed), and the directory is fsync'd so the rename survives a crash. The temp
 * file is removed when anything fails. Ownership and directory checks are the caller's policy.
 */
public final class PrivateFile {
    /** Mode 0600. */
    public static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-------");
    /** How every temp file of a write ends: {@code .<target name>.<random>.k4jtmp}, next to the target. */
    public static final String TEMP_SUFFIX = ".k4jtmp";
    private static final FileAttribute<Set<PosixFilePermission>> ATTR = PosixFilePermissions.asFileAttribute(MODE);

    private PrivateFile() {
    }

    /** How much a write waits for the disk. */
    public enum Sync {
        /** The data and the rename are on disk when the write returns. */
        DURABLE,
        /** Atomic but not fsync'd: for what may be lost in a crash (a hint that is rebuilt). */
        ATOMIC_ONLY
    }

    /** An I/O step run between the temp file's fsync and the rename, or after the rename (e.g. linking a backup). */
    @FunctionalInterface
    public interface Step {
        void run() throws IOException;
    }

    /** Replaces {@code target} with {@code content} atomically and durably, as a 0600 file. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, Sync.DURABLE, null, null);
    }

    /** As {@link #writeAtomically(Path, byte[])}, fsync'd only when {@code sync} is {@link Sync#DURABLE}. */
    public static void writeAtomically(Path target, byte[] content, Sync sync) throws IOException {
        writeAtomically(target, content, sync, null, null);
    }

    /**
     * As {@link #writeAtomically(Path, byte[])}, running {@code beforeRename} once the new content is
     * on disk but not yet in place and {@code afterRename} once it is (either may be null); the
     * directory is fsync'd after both, so what they rename is durable too.
     */
    public static void writeAtomically(Path target, byte[] content, Sync sync, Step beforeRename, Step afterRename) throws IOException {
        Path tmp = tempFor(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ATTR)) {
                writeFully(ch, content);
                if (sync == Sync.DURABLE) ch.force(true);
            }
            if (beforeRename != null) beforeRename.run();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (afterRename != null) afterRename.run();
            if (sync == Sync.DURABLE) fsyncDirectory(target.toAbsolutePath().getParent());
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Writes a new 0600 file that must not exist yet ({@link java.nio.file.FileAlreadyExistsException} otherwise), durably. */
    public static void createNew(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ATTR)) {
            writeFully(ch, content);
            ch.force(true);
        }
        fsyncDirectory(file.toAbsolutePath().getParent());
    }

    /** A fresh temp file name next to {@code target}, ending with {@link #TEMP_SUFFIX}. */
    public static Path tempFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(System.nanoTime()) + TEMP_SUFFIX);
    }

    /** Makes a rename or creation in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code content} at the channel's position. */
    public static void writeFully(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // best effort: what failed is reported; a leftover temp file is swept by the next writer
        }
    }
}
