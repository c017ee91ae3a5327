package dev.keyring4j.internal;

import dev.keyring4j.internal.RejectedInputException.Problem;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The one way keyring4j reads an input it did not write itself: a file named by configuration or
 * the environment (a {@code _FILE} variable, a configuration file, a key file, a credential file, a
 * store file) or a stream such as stdin. Not API: this package is exported only to keyring4j's own
 * modules and may change in any release.
 *
 * <p>What it guarantees:
 * <ul>
 * <li><b>Type first.</b> A file's type is read with {@code stat} (or {@code lstat} when the final
 *     symbolic link must not be followed) before anything opens it: a directory, FIFO, socket,
 *     character or block device (such as {@code /dev/zero}), a symbolic link where links are not
 *     followed, or a link loop is refused at once and never waited on (opening a FIFO for reading
 *     blocks in {@code open} until a writer comes). Residual race: Java cannot open without
 *     blocking ({@code O_NONBLOCK}) or {@code fstat} what it opened, so someone who can write the
 *     file's directory may swap in a FIFO between the check and the open; the file is therefore
 *     checked again after the read (same device and inode, else {@link Problem#REPLACED}), and
 *     callers that need more keep the directory unwritable to others (as encrypted-file and
 *     systemd-creds require).</li>
 * <li><b>Bounded.</b> A file whose size exceeds the limit is refused before it is opened; a file
 *     that grows, a procfs file that reports size 0 and any stream are read at most one byte past
 *     the limit, so {@code /dev/zero} on stdin or a 100 MB file end at once with
 *     {@link Problem#TOO_LARGE}, never with everything in memory.</li>
 * <li><b>No content in messages.</b> A {@link RejectedInputException} names the source, the
 *     problem and the limit, never a byte of what was read.</li>
 * <li><b>Wiped.</b> The result is a fresh array the caller owns (and wipes when it holds a secret);
 *     every intermediate buffer is zeroed before it is dropped.</li>
 * </ul>
 * Only the final path component is subject to {@code followFinalLink}; links in the directories
 * above it are followed, as {@code O_NOFOLLOW} does.
 */
public final class BoundedInput {
    /**
     * The largest secret keyring4j reads from any input (a {@code _FILE}, a credential file, stdin):
     * 1 MiB, the largest the kernel keyring ({@code big_key}), {@code systemd-creds encrypt}, the env
     * backend and the command backend hold.
     */
    public static final int MAX_SECRET_BYTES = 1 << 20;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int CHUNK = 8192;

    private BoundedInput() {
    }

    /**
     * The whole content of the regular file {@code path}, at most {@code limit} bytes.
     *
     * @param what the source as a message should name it, e.g. {@code "the file /x (named by FOO_FILE)"}
     * @param followFinalLink whether a symbolic link as the last component is followed; when false it is refused
     * @throws RejectedInputException when it is missing, not a regular file, unreadable, longer than
     *     {@code limit} or replaced while being read
     */
    public static byte[] readFile(Path path, String what, int limit, boolean followFinalLink) throws RejectedInputException {
        LinkOption[] options = followFinalLink ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        Map<String, Object> before = requireFile(path, what, limit, options);
        byte[] content;
        OpenOption[] open = followFinalLink ? new OpenOption[] {StandardOpenOption.READ}
                : new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS};
        try (SeekableByteChannel ch = Files.newByteChannel(path, open)) {
            content = readChannel(ch, what, limit);
        } catch (RejectedInputException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, what, limit);
        }
        Map<String, Object> after;
        try {
            after = attributes(path, options);
        } catch (IOException e) {
            after = null;
        }
        if (after == null || !Objects.equals(before.get("dev"), after.get("dev")) || !Objects.equals(before.get("ino"), after.get("ino"))) {
            Arrays.fill(content, (byte) 0);
            throw new RejectedInputException(Problem.REPLACED, what, "was replaced while it was being read; read it again", null);
        }
        return content;
    }

    /**
     * Checks what {@link #readFile} checks before it opens the file (present, a regular file,
     * readable, at most {@code limit} bytes), without opening it: for a listing that must name only
     * what a read would accept.
     */
    public static void check(Path path, String what, int limit, boolean followFinalLink) throws RejectedInputException {
        requireFile(path, what, limit, followFinalLink ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS});
    }

    /**
     * Everything {@code in} yields up to its end, at most {@code limit} bytes; reads at most one byte
     * past the limit. Does not close {@code in}.
     */
    public static byte[] readStream(InputStream in, String what, int limit) throws RejectedInputException {
        byte[] buf = new byte[(int) Math.min((long) limit + 1, CHUNK)];
        int n = 0;
        try {
            while (true) {
                if (n == buf.length) {
                    if (n > limit) {
                        Arrays.fill(buf, (byte) 0);
                        throw tooLarge(what, limit);
                    }
                    buf = grow(buf, limit);
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) break;
                n += r;
            }
        } catch (RejectedInputException e) {
            throw e;
        } catch (IOException e) {
            Arrays.fill(buf, (byte) 0);
            throw new RejectedInputException(Problem.IO, what, "cannot be read: " + e.getClass().getSimpleName(), e);
        }
        if (n > limit) {
            Arrays.fill(buf, (byte) 0);
            throw tooLarge(what, limit);
        }
        byte[] out = Arrays.copyOf(buf, n);
        Arrays.fill(buf, (byte) 0);
        return out;
    }

    /**
     * A view of {@code in} that fails with {@link Problem#TOO_LARGE} (as an {@link IOException})
     * once more than {@code limit} bytes have been read from it: for protocols read line by line.
     */
    public static InputStream limit(InputStream in, String what, int limit) {
        return new FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0 && ++count > limit) throw tooLarge(what, limit);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
                if (n > 0 && (count += n) > limit) {
                    Arrays.fill(b, off, off + n, (byte) 0);
                    throw tooLarge(what, limit);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                return super.skip(Math.min(n, Math.max(0, limit - count)));
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    /** The failure for an input over {@code limit} bytes: for a caller whose own rule (after removing a final newline) is tighter. */
    public static RejectedInputException tooLarge(String what, int limit) {
        return new RejectedInputException(Problem.TOO_LARGE, what, "is larger than the limit of " + describe(limit)
                + "; nothing was used from it", null);
    }

    /** {@code "1048576 bytes (1 MiB)"}: a limit as messages and documents spell it. */
    public static String describe(int limit) {
        if (limit >= 1 << 20 && limit % (1 << 20) == 0) return limit + " bytes (" + (limit >> 20) + " MiB)";
        if (limit >= 1 << 10 && limit % (1 << 10) == 0) return limit + " bytes (" + (limit >> 10) + " KiB)";
        return limit + " bytes";
    }

    private static Map<String, Object> requireFile(Path path, String what, int limit, LinkOption[] options) throws RejectedInputException {
        Map<String, Object> a;
        try {
            a = attributes(path, options);
        } catch (IOException e) {
            throw translate(e, what, limit);
        }
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & S_IFMT) != S_IFREG) {
            throw new RejectedInputException(Problem.NOT_A_FILE, what, "is " + typeOf(mode) + ", not a regular file; only a regular file"
                    + " of at most " + describe(limit) + " is read" + ((mode & S_IFMT) == 0120000 ? " (a symbolic link is not followed here)" : ""), null);
        }
        long size = ((Number) a.get("size")).longValue();
        if (size > limit) {
            throw new RejectedInputException(Problem.TOO_LARGE, what, "has " + size + " bytes, more than the limit of " + describe(limit)
                    + "; nothing was read from it", null);
        }
        if (!Files.isReadable(path)) {
            throw new RejectedInputException(Problem.DENIED, what, "is not readable by this process; check its owner and mode", null);
        }
        return a;
    }

    private static Map<String, Object> attributes(Path path, LinkOption[] options) throws IOException {
        return Files.readAttributes(path, "unix:mode,size,dev,ino", options);
    }

    private static String typeOf(int mode) {
        return switch (mode & S_IFMT) {
            case 0040000 -> "a directory";
            case 0120000 -> "a symbolic link";
            case 0010000 -> "a FIFO (named pipe)";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a special file";
        };
    }

    private static RejectedInputException translate(IOException e, String what, int limit) {
        if (e instanceof NoSuchFileException) {
            return new RejectedInputException(Problem.MISSING, what, "does not exist", e);
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return new RejectedInputException(Problem.DENIED, what, "is not readable by this process (permission denied); check its owner and mode", e);
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        if (reason.contains("levels of symbolic links")) {
            return new RejectedInputException(Problem.NOT_A_FILE, what, "is a symbolic link loop (or leads through too many links),"
                    + " not a regular file; only a regular file of at most " + describe(limit) + " is read", e);
        }
        return new RejectedInputException(Problem.IO, what, "cannot be read: " + reason, e);
    }

    static byte[] readChannel(SeekableByteChannel ch, String what, int limit) throws IOException {
        long size = ch.size();
        if (size > limit) throw tooLarge(what, limit);
        if (size > CHUNK) {
            // the common case of a file that does not change while read: exactly its size, returned without a copy
            byte[] exact = new byte[(int) size];
            byte[] probe = new byte[1];
            boolean whole = false;
            try {
                ByteBuffer b = ByteBuffer.wrap(exact);
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // read to the end
                }
                whole = !b.hasRemaining() && ch.read(ByteBuffer.wrap(probe)) < 0;
            } finally {
                probe[0] = 0;
                if (!whole) Arrays.fill(exact, (byte) 0); // failed, or shorter or longer than it said
            }
            if (whole) return exact;
            ch.position(0); // read it again the general way
        }
        // size + 1: reaching the end needs one more read; procfs files say 0 and grow the buffer
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min((long) limit + 1, Math.max(size + 1, CHUNK)));
        try {
            while (true) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() > limit) throw tooLarge(what, limit);
                    ByteBuffer bigger = ByteBuffer.wrap(grow(buf.array(), limit));
                    bigger.position(buf.position());
                    buf = bigger;
                }
                if (ch.read(buf) < 0) break;
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } finally {
            Arrays.fill(buf.array(), (byte) 0);
        }
    }

    /** A copy twice as long (at most {@code limit + 1}); the old array is wiped. */
    private static byte[] grow(byte[] buf, int limit) {
        byte[] bigger = Arrays.copyOf(buf, (int) Math.min((long) limit + 1, Math.max(CHUNK, buf.length * 2L)));
        Arrays.fill(buf, (byte) 0);
        return bigger;
    }
}
