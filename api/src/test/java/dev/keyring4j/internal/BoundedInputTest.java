package dev.keyring4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.internal.RejectedInputException.Problem;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BoundedInput} against real special files: every case ends at once with the right problem, never a wait. */
class BoundedInputTest {
    private static final Duration QUICK = Duration.ofSeconds(5);
    private static final int LIMIT = 4096;

    @TempDir
    Path dir;

    private static RejectedInputException refused(Path p, boolean follow) {
        return assertTimeoutPreemptively(QUICK, () -> assertThrows(RejectedInputException.class,
                () -> BoundedInput.readFile(p, "the file " + p, LIMIT, follow)));
    }

    private static void assertNamesSourceAndLimit(RejectedInputException e, Path p) {
        assertTrue(e.getMessage().startsWith("the file " + p + " "), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(LIMIT)), e.getMessage());
    }

    private Path fifo(String name) throws Exception {
        Path f = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
        return f;
    }

    @Test
    void aFifoWithNoWriterIsRefusedAtOnce() throws Exception {
        Path f = fifo("fifo");
        for (boolean follow : new boolean[] {true, false}) {
            RejectedInputException e = refused(f, follow);
            assertEquals(Problem.NOT_A_FILE, e.problem());
            assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
            assertNamesSourceAndLimit(e, f);
        }
        // and through a link to it
        Path link = Files.createSymbolicLink(dir.resolve("to-fifo"), f);
        assertEquals(Problem.NOT_A_FILE, refused(link, true).problem());
        assertTrue(refused(link, false).getMessage().contains("symbolic link"));
    }

    @Test
    void aUnixSocketIsRefused() throws Exception {
        Path s = dir.resolve("sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(s));
            RejectedInputException e = refused(s, true);
            assertEquals(Problem.NOT_A_FILE, e.problem());
            assertTrue(e.getMessage().contains("socket"), e.getMessage());
        }
    }

    @Test
    void devZeroIsRefusedAsAFileAndCutAtTheLimitAsAStream() throws Exception {
        Path zero = Path.of("/dev/zero");
        RejectedInputException e = refused(zero, true);
        assertEquals(Problem.NOT_A_FILE, e.problem());
        assertTrue(e.getMessage().contains("character device"), e.getMessage());
        assertNamesSourceAndLimit(e, zero);
        try (InputStream in = Files.newInputStream(zero)) {
            RejectedInputException s = assertTimeoutPreemptively(QUICK, () -> assertThrows(RejectedInputException.class,
                    () -> BoundedInput.readStream(in, "stdin", BoundedInput.MAX_SECRET_BYTES)));
            assertEquals(Problem.TOO_LARGE, s.problem());
            assertEquals("stdin is larger than the limit of 1048576 bytes (1 MiB); nothing was used from it", s.getMessage());
        }
    }

    @Test
    void aDirectoryIsRefused() {
        RejectedInputException e = refused(dir, true);
        assertEquals(Problem.NOT_A_FILE, e.problem());
        assertTrue(e.getMessage().contains("a directory"), e.getMessage());
    }

    @Test
    void aSymbolicLinkLoopIsRefused() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        RejectedInputException e = refused(a, true);
        assertEquals(Problem.NOT_A_FILE, e.problem());
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
        assertEquals(Problem.NOT_A_FILE, refused(a, false).problem(), "not followed: the link itself is refused");
    }

    @Test
    void aLinkToARegularFileIsFollowedOnlyWhenAsked() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        Path link = Files.createSymbolicLink(dir.resolve("l"), f);
        assertArrayEquals(new byte[] {1, 2, 3}, BoundedInput.readFile(link, "l", LIMIT, true));
        RejectedInputException e = refused(link, false);
        assertEquals(Problem.NOT_A_FILE, e.problem());
        assertTrue(e.getMessage().contains("is a symbolic link, not a regular file"), e.getMessage());
    }

    @Test
    void anEmptyFileIsEmpty() throws Exception {
        Path f = Files.createFile(dir.resolve("empty"));
        assertArrayEquals(new byte[0], BoundedInput.readFile(f, "empty", LIMIT, false));
        assertArrayEquals(new byte[0], BoundedInput.readStream(new ByteArrayInputStream(new byte[0]), "empty", LIMIT));
    }

    /** Files past one 8 KiB chunk are read into an array of exactly their size (no copy); every size around the chunk reads back exactly. */
    @Test
    void filesAroundAndFarPastOneChunkReadBackExactly() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int size : new int[] {8191, 8192, 8193, 100_000, 2_230_784}) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            Path f = Files.write(dir.resolve("big" + size), content);
            assertArrayEquals(content, BoundedInput.readFile(f, "f", 4 << 20, false));
        }
        // a file that grows after its size was taken, and one that shrinks: read again from the start, whole
        for (int grown : new int[] {50_000 + 10, 50_000 - 10}) {
            byte[] content = new byte[grown];
            random.nextBytes(content);
            assertArrayEquals(content, BoundedInput.readChannel(new SizeSaid(content, 50_000), "f", 4 << 20));
        }
        Path over = Files.write(dir.resolve("bigover"), new byte[100_001]);
        assertEquals(Problem.TOO_LARGE, assertThrows(RejectedInputException.class, () -> BoundedInput.readFile(over, "f", 100_000, false)).problem());
    }

    @Test
    void filesJustUnderAtAndOverTheLimit() throws Exception {
        for (int size : new int[] {LIMIT - 1, LIMIT}) {
            byte[] content = new byte[size];
            Arrays.fill(content, (byte) 'x');
            Path f = Files.write(dir.resolve("f" + size), content);
            assertArrayEquals(content, BoundedInput.readFile(f, "f", LIMIT, false));
            assertArrayEquals(content, BoundedInput.readStream(new ByteArrayInputStream(content), "s", LIMIT));
            BoundedInput.check(f, "f", LIMIT, false);
        }
        Path over = Files.write(dir.resolve("over"), new byte[LIMIT + 1]);
        RejectedInputException e = refused(over, false);
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertEquals("the file " + over + " has 4097 bytes, more than the limit of 4096 bytes (4 KiB); nothing was read from it", e.getMessage());
        assertEquals(Problem.TOO_LARGE, assertThrows(RejectedInputException.class, () -> BoundedInput.check(over, "f", LIMIT, false)).problem());
        assertEquals(Problem.TOO_LARGE, assertThrows(RejectedInputException.class,
                () -> BoundedInput.readStream(new ByteArrayInputStream(new byte[LIMIT + 1]), "s", LIMIT)).problem());
    }

    @Test
    void aHundredMegabyteSparseFileIsRefusedWithoutReadingIt() throws Exception {
        Path big = dir.resolve("big");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(100L * 1000 * 1000);
        }
        RejectedInputException e = refused(big, true);
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertTrue(e.getMessage().contains("100000000 bytes"), e.getMessage());
        // as a stream it is cut one byte past the limit
        try (InputStream in = Files.newInputStream(big)) {
            assertEquals(Problem.TOO_LARGE, assertTimeoutPreemptively(QUICK, () -> assertThrows(RejectedInputException.class,
                    () -> BoundedInput.readStream(in, "stdin", BoundedInput.MAX_SECRET_BYTES))).problem());
        }
    }

    @Test
    void aMissingFileAndAnUnreadableOneAreTold() throws Exception {
        Path missing = dir.resolve("missing");
        assertEquals(Problem.MISSING, refused(missing, true).problem());
        Path secret = Files.write(dir.resolve("secret"), "top-secret".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(secret, java.util.Set.of());
        if (Files.isReadable(secret)) return; // root reads anything: nothing to refuse
        RejectedInputException e = refused(secret, false);
        assertEquals(Problem.DENIED, e.problem());
        assertFalse(e.getMessage().contains("top-secret"));
    }

    @Test
    void procfsFilesThatReportSizeZeroAreReadToTheirEnd() throws Exception {
        byte[] status = BoundedInput.readFile(Path.of("/proc/self/status"), "/proc/self/status", 1 << 16, true);
        assertTrue(new String(status, StandardCharsets.US_ASCII).contains("Uid:"));
    }

    @Test
    void aLimitedStreamFailsOnlyPastTheLimit() throws Exception {
        byte[] ok = "a=b\n\n".getBytes(StandardCharsets.US_ASCII);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(BoundedInput.limit(new ByteArrayInputStream(ok), "stdin", ok.length)))) {
            assertEquals("a=b", r.readLine());
            assertEquals("", r.readLine());
            assertEquals(null, r.readLine());
        }
        try (InputStream zero = Files.newInputStream(Path.of("/dev/zero"));
             BufferedReader r = new BufferedReader(new InputStreamReader(BoundedInput.limit(zero, "stdin", 1 << 16)))) {
            IOException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(IOException.class, r::readLine));
            assertEquals(Problem.TOO_LARGE, ((RejectedInputException) e).problem());
        }
    }

    @Test
    void limitsAreSpelledWithTheirUnit() {
        assertEquals("1048576 bytes (1 MiB)", BoundedInput.describe(1 << 20));
        assertEquals("65536 bytes (64 KiB)", BoundedInput.describe(1 << 16));
        assertEquals("100 bytes", BoundedInput.describe(100));
    }

    /** A channel over {@code content} whose {@code size()} says {@code said}: a file that changed size after it was asked. */
    private static final class SizeSaid implements java.nio.channels.SeekableByteChannel {
        private final byte[] content;
        private final long said;
        private int position;

        SizeSaid(byte[] content, long said) {
            this.content = content;
            this.said = said;
        }

        @Override
        public int read(java.nio.ByteBuffer dst) {
            if (position >= content.length) return -1;
            int n = Math.min(dst.remaining(), content.length - position);
            dst.put(content, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(java.nio.ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public java.nio.channels.SeekableByteChannel position(long p) {
            position = (int) p;
            return this;
        }

        @Override
        public long size() {
            return said;
        }

        @Override
        public java.nio.channels.SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
