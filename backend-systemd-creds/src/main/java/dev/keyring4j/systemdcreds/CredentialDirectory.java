package dev.keyring4j.systemdcreds;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One directory credentials are read from, already checked to be safe (a directory, not group- or
 * world-writable). Reads refuse anything but a regular file inside the directory: a symbolic link
 * is followed only when its target stays inside (Kubernetes secret volumes link
 * {@code name → ..data/name}), except in the trusted {@code $CREDENTIALS_DIRECTORY}, which systemd
 * itself fills.
 */
final class CredentialDirectory {
    private final Path dir;
    private final String origin;
    private final boolean trusted;
    private final boolean encrypted;

    private CredentialDirectory(Path realDir, String origin, boolean trusted, boolean encrypted) {
        this.dir = realDir;
        this.origin = origin;
        this.trusted = trusted;
        this.encrypted = encrypted;
    }

    /**
     * The directory if it exists and is safe to read credentials from; empty if it does not exist.
     * Throws {@link Unsafe} with the reason when it exists but must not be used.
     */
    static Optional<CredentialDirectory> open(Path path, String origin, boolean trusted, boolean encrypted) throws Unsafe {
        PosixFileAttributes attrs;
        Path real;
        try {
            attrs = Files.readAttributes(path, PosixFileAttributes.class);
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new Unsafe(path + " (" + origin + ") cannot be inspected: " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new Unsafe(path + " (" + origin + ") is not on a POSIX file system, so its permissions cannot be checked");
        }
        if (!attrs.isDirectory()) throw new Unsafe(path + " (" + origin + ") is not a directory");
        Set<PosixFilePermission> perms = attrs.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new Unsafe(path + " (" + origin + ") is " + (perms.contains(PosixFilePermission.OTHERS_WRITE) ? "world" : "group")
                    + "-writable (mode " + mode(perms) + "), so others could plant or swap credentials in it;"
                    + " run chmod go-w " + path + " or stop configuring it");
        }
        if (!Files.isReadable(real) || !Files.isExecutable(real)) {
            throw new Unsafe(path + " (" + origin + ") is not readable by this process; check its owner and mode " + mode(perms));
        }
        return Optional.of(new CredentialDirectory(real, origin, trusted, encrypted));
    }

    private static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) m |= 1 << (8 - p.ordinal());
        return String.format("%04o", m);
    }

    /** Why a directory must not be used. */
    static final class Unsafe extends Exception {
        Unsafe(String reason) {
            super(reason, null, false, false);
        }
    }

    Path path() {
        return dir;
    }

    /** Whether every file here is an encrypted credential (a {@code credstore.encrypted} directory). */
    boolean encrypted() {
        return encrypted;
    }

    String describe() {
        return dir + " (" + origin + (encrypted ? ", encrypted" : "") + ")";
    }

    /**
     * The content of the file {@code fileName} directly in this directory, at most {@code maxBytes}
     * long; empty when there is no such file. Anything present but unreadable or refused throws.
     */
    Optional<byte[]> read(String fileName, int maxBytes) {
        Path file = dir.resolve(CredentialName.requireSafe(fileName));
        try {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            Path target = file;
            if (attrs.isSymbolicLink()) {
                try {
                    target = file.toRealPath();
                } catch (NoSuchFileException e) {
                    throw new KeyringException("the credential file " + file + " is a symbolic link to a file that does not exist;"
                            + " fix or remove the link");
                }
                if (!trusted && !target.startsWith(dir)) {
                    throw new AccessDeniedException("refused to read " + file + ": it is a symbolic link to " + target
                            + ", outside " + dir + "; only links that stay inside a configured directory are followed");
                }
                attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
            if (!attrs.isRegularFile()) {
                throw new KeyringException("the credential " + file + " is not a regular file; remove it or rename it");
            }
            if (attrs.size() > maxBytes) throw tooLarge(file, attrs.size(), maxBytes);
            return Optional.of(readBounded(target, maxBytes, file));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new AccessDeniedException("cannot read the credential " + file + ": permission denied for this process;"
                    + " check the file's owner and mode", e);
        } catch (IOException e) {
            throw new KeyringException("cannot read the credential " + file + ": " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), e);
        }
    }

    private static byte[] readBounded(Path target, int maxBytes, Path shownAs) throws IOException {
        // NOFOLLOW_LINKS: the final component must still be the regular file checked above
        try (SeekableByteChannel ch = Files.newByteChannel(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min((long) maxBytes + 1, Math.max(ch.size() + 1, 1)));
            while (true) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() > maxBytes) {
                        wipe(buf);
                        throw tooLarge(shownAs, -1, maxBytes);
                    }
                    ByteBuffer bigger = ByteBuffer.allocate((int) Math.min((long) maxBytes + 1, buf.capacity() * 2L));
                    buf.flip();
                    bigger.put(buf);
                    wipe(buf);
                    buf = bigger;
                }
                if (ch.read(buf) < 0) break;
            }
            byte[] out = Arrays.copyOf(buf.array(), buf.position());
            wipe(buf);
            return out;
        }
    }

    private static void wipe(ByteBuffer buf) {
        Arrays.fill(buf.array(), (byte) 0);
    }

    private static KeyringException tooLarge(Path file, long size, int maxBytes) {
        return new KeyringException("refused to read the credential " + file + (size >= 0 ? " of " + size + " bytes" : "")
                + ": it is larger than the limit of " + maxBytes + " bytes; raise systemd-creds.max-size if it is meant to be this big");
    }

    /** The names of the entries that may be credentials (regular files and symbolic links), sorted. */
    List<String> fileNames() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (a.isRegularFile() || a.isSymbolicLink()) names.add(e.getFileName().toString());
            }
        } catch (java.nio.file.AccessDeniedException e) {
            throw new AccessDeniedException("cannot list " + describe() + ": permission denied for this process", e);
        } catch (IOException e) {
            throw new KeyringException("cannot list " + describe() + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        names.sort(null);
        return names;
    }

    @Override
    public String toString() {
        return describe();
    }
}
