package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.PrivateFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exclusive cross-process lock of a store: {@code FileChannel.lock} on {@code <store>.lock}.
 * POSIX record locks belong to the whole process, and closing any channel on the file drops all of
 * them, so within this JVM a lock per path serialises first and only one channel is ever open.
 * The lock file is never deleted (deleting it would let two writers lock different files). It is
 * opened with {@code NOFOLLOW_LINKS} and refused, like the store file, when it is a link, not a
 * regular file, not private or not this user's.
 */
final class LockFile implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(ReentrantLock local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    static LockFile acquire(Path lockPath) throws IOException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockPath, p -> new ReentrantLock());
        local.lock();
        FileChannel ch = null;
        try {
            // never through a link: O_NOFOLLOW, and what was opened is checked like the store file
            PrivateFiles.requirePrivateFile(lockPath, "lock file");
            ch = FileChannel.open(lockPath, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(dev.keyring4j.support.PrivateFile.MODE));
            PrivateFiles.requirePrivateFile(lockPath, "lock file");
            FileLock l = ch.lock();
            return new LockFile(local, ch, l);
        } catch (IOException | RuntimeException | Error e) {
            if (ch != null) ch.close();
            local.unlock();
            throw e;
        }
    }

    /** Whether this thread holds the lock of {@code lockPath} (taken in this JVM). */
    static boolean heldByCurrentThread(Path lockPath) {
        ReentrantLock l = IN_PROCESS.get(lockPath);
        return l != null && l.isHeldByCurrentThread();
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            local.unlock();
        }
    }
}
