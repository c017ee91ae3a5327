package dev.keyring4j.systemdcreds;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.internal.RejectedInputException;
import dev.keyring4j.support.ProcessUser;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One directory credentials are read from, already checked to be safe (a directory, not group- or
 * world-writable, owned by this process's effective uid or root). Reads refuse anything but a
 * regular file inside the directory: a symbolic link is followed only when its target stays inside
 * (Kubernetes secret volumes link {@code name → ..data/name}), except in the trusted
 * {@code $CREDENTIALS_DIRECTORY}, which systemd itself fills. Before a credential is read, the
 * file and every directory entered on the way to it, up to and including this one, are checked the
 * same way, so nobody else can have planted or swapped what is read.
 */
final class CredentialDirectory {
    /** Symbolic links followed for one credential at most, as the kernel's own limit (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final Path dir;
    private final String origin;
    private final boolean trusted;
    private final boolean encrypted;
    /** The effective uid of this process: besides root, the only owner a credential file or directory may have. */
    private final long uid;

    private CredentialDirectory(Path realDir, String origin, boolean trusted, boolean encrypted, long uid) {
        this.dir = realDir;
        this.origin = origin;
        this.trusted = trusted;
        this.encrypted = encrypted;
        this.uid = uid;
    }

    /**
     * The directory if it exists and is safe to read credentials from; empty if it does not exist.
     * Throws {@link Unsafe} with the reason when it exists but must not be used.
     */
    static Optional<CredentialDirectory> open(Path path, String origin, boolean trusted, boolean encrypted) throws Unsafe {
        Node node;
        Path real;
        try {
            real = path.toRealPath();
            node = Node.of(real);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new Unsafe(path + " (" + origin + ") cannot be inspected: " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new Unsafe(path + " (" + origin + ") is not on a POSIX file system, so its permissions cannot be checked");
        }
        if (!node.directory()) throw new Unsafe(path + " (" + origin + ") is not a directory");
        if (node.writable() != null) {
            throw new Unsafe(path + " (" + origin + ") is " + node.writable() + ", so others could plant or swap credentials in it;"
                    + " run chmod go-w " + path + " or stop configuring it");
        }
        long uid = effectiveUid();
        if (uid < 0) throw new Unsafe("cannot tell this process's uid (/proc/self/status is unreadable), so the owners of " + path
                + " (" + origin + ") and its credentials cannot be checked; mount /proc");
        if (!node.ownedBy(uid)) {
            throw new Unsafe(path + " (" + origin + ") is " + node.owner(uid) + ", so that user could plant or swap credentials in it;"
                    + " run chown " + uid + " " + path + " (or chown root) or stop configuring it");
        }
        if (!Files.isReadable(real) || !Files.isExecutable(real)) {
            throw new Unsafe(path + " (" + origin + ") is not readable by this process; check its owner and mode " + node.octalMode());
        }
        return Optional.of(new CredentialDirectory(real, origin, trusted, encrypted, uid));
    }

    /** The effective uid from /proc/self/status, or -1 when it cannot be read. */
    static long effectiveUid() {
        try {
            return ProcessUser.uid();
        } catch (IOException | RuntimeException e) {
            return -1; // reported by the caller
        }
    }

    /** What {@code lstat} says about one path: type, permission bits and owner. */
    record Node(boolean directory, boolean link, boolean regular, long size, int mode, long uid) {
        static Node of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:isDirectory,isSymbolicLink,isRegularFile,size,mode,uid",
                    LinkOption.NOFOLLOW_LINKS);
            return new Node((Boolean) a.get("isDirectory"), (Boolean) a.get("isSymbolicLink"), (Boolean) a.get("isRegularFile"),
                    ((Number) a.get("size")).longValue(), ((Number) a.get("mode")).intValue() & 07777, ((Number) a.get("uid")).longValue());
        }

        String octalMode() {
            return String.format("%04o", mode);
        }

        /** "world-writable (mode 0777)" or "group-writable (mode 0770)"; null when neither. */
        String writable() {
            if ((mode & 022) == 0) return null;
            return ((mode & 02) != 0 ? "world" : "group") + "-writable (mode " + octalMode() + ")";
        }

        /** Owned by {@code processUid} or by root: nobody else could have put it there. */
        boolean ownedBy(long processUid) {
            return uid == processUid || uid == 0;
        }

        String owner(long processUid) {
            return "owned by uid " + uid + ", neither this process's uid " + processUid + " nor root";
        }
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
        Optional<Path> target = checked(file, maxBytes);
        if (target.isEmpty()) return Optional.empty();
        try {
            // not following a final link: the last component must still be the regular file checked
            return Optional.of(BoundedInput.readFile(target.get(), "the credential " + file, maxBytes, false));
        } catch (RejectedInputException e) {
            throw refused(file, e, maxBytes);
        }
    }

    /**
     * Whether {@link #read} would find the file and accept it, judged without reading it: absent
     * (empty), or the file it leads to (present) or refused (throws, as {@link #read} would).
     */
    Optional<Path> checked(String fileName, int maxBytes) {
        return checked(dir.resolve(CredentialName.requireSafe(fileName)), maxBytes);
    }

    private Optional<Path> checked(Path file, int maxBytes) {
        try {
            Path target = locate(file);
            if (target == null) return Optional.empty();
            // the type first: a device or FIFO is refused as such, before its owner and mode are judged
            BoundedInput.check(target, "the credential " + file, maxBytes, false);
            requireUnplantable(target, Node.of(target), file);
            return Optional.of(target);
        } catch (RejectedInputException e) {
            throw refused(file, e, maxBytes);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new AccessDeniedException("cannot read the credential " + file + ": permission denied for this process;"
                    + " check the file's owner and mode", e);
        } catch (IOException e) {
            throw new KeyringException("cannot read the credential " + file + ": " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), e);
        }
    }

    private static KeyringException refused(Path file, RejectedInputException e, int maxBytes) {
        return switch (e.problem()) {
            case TOO_LARGE -> new KeyringException("refused to read the credential " + file + ": it is larger than the limit of "
                    + maxBytes + " bytes; raise systemd-creds.max-size if it is meant to be this big", e);
            case DENIED -> new AccessDeniedException("cannot read the credential " + file + ": permission denied for this process;"
                    + " check the file's owner and mode", e);
            default -> new KeyringException(e.getMessage() + "; remove it or rename it", e);
        };
    }

    /**
     * The file {@code file} leads to, following symbolic links one path component at a time; null
     * when {@code file} does not exist. This directory and every directory entered below it are
     * checked with {@link #requireUnplantable}, so no link or file on the way can have been put
     * there by another user. Outside this directory (reached only from the trusted
     * {@code $CREDENTIALS_DIRECTORY}) links are followed unchecked; elsewhere leaving it is refused.
     */
    private Path locate(Path file) throws IOException {
        Path current = dir; // a path without symbolic links; checked while inside dir
        requireUnplantable(dir, Node.of(dir), file);
        Deque<Path> rest = new ArrayDeque<>();
        rest.add(file.getFileName());
        int links = 0;
        while (!rest.isEmpty()) {
            Path name = rest.removeFirst();
            if (name.toString().equals(".")) continue;
            if (name.toString().equals("..")) {
                current = current.getParent() == null ? current : current.getParent();
                requireInside(current, current, file);
                continue;
            }
            Path next = current.resolve(name);
            Node node;
            try {
                node = Node.of(next);
            } catch (NoSuchFileException e) {
                if (links == 0) return null;
                throw new KeyringException("the credential file " + file + " is a symbolic link to a file that does not exist"
                        + " (" + next + "); fix or remove the link");
            }
            if (node.link()) {
                if (++links > MAX_LINKS) {
                    throw new KeyringException("the credential file " + file + " leads through more than " + MAX_LINKS
                            + " symbolic links; fix the links");
                }
                Path to = Files.readSymbolicLink(next);
                if (to.isAbsolute()) {
                    // a target spelled with this directory's real path stays inside; any other is outside from the start
                    current = to.startsWith(dir) ? dir : to.getRoot();
                    requireInside(current, to, file);
                    to = current.relativize(to);
                }
                List<Path> parts = new ArrayList<>();
                to.forEach(parts::add);
                for (int i = parts.size() - 1; i >= 0; i--) rest.addFirst(parts.get(i));
                continue;
            }
            if (rest.isEmpty()) return next;
            if (!node.directory()) {
                throw new KeyringException("the credential file " + file + " leads through " + next + ", which is not a directory;"
                        + " fix or remove the link");
            }
            current = next;
            if (current.startsWith(dir)) requireUnplantable(current, node, file);
        }
        return current; // a link to "." or "..": a directory, refused as not a regular file
    }

    private void requireInside(Path p, Path shown, Path file) {
        if (!trusted && !p.startsWith(dir)) {
            throw new AccessDeniedException("refused to read " + file + ": it is a symbolic link that leads to " + shown
                    + ", outside " + dir + "; only links that stay inside a configured directory are followed");
        }
    }

    /**
     * Refuses a credential file, or a directory on the way to one, that another user could have
     * written: group- or world-writable, or owned by neither this process's uid nor root.
     */
    private void requireUnplantable(Path p, Node node, Path file) {
        String what = (node.directory() ? "the directory " : "the credential file ") + p
                + (p.equals(file) ? "" : node.directory() ? " (on the way to " + file + ")" : " (where " + file + " leads)");
        if (node.writable() != null) {
            throw new AccessDeniedException("refused to read " + file + ": " + what + " is " + node.writable()
                    + ", so other users could have planted or changed it; run chmod go-w " + p + " and check its content");
        }
        if (!node.ownedBy(uid)) {
            throw new AccessDeniedException("refused to read " + file + ": " + what + " is " + node.owner(uid)
                    + ", so that user could have planted or changed it; run chown " + uid + " " + p
                    + " (or chown root) after checking its content, or remove it");
        }
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
