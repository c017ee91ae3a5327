package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Arguments}: recovery from a cmdline file in the kernel's format (NUL after each entry). */
class ArgumentsTest {
    @TempDir
    Path dir;

    private Path cmdline(byte[]... entries) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            b.write(e);
            b.write(0);
        }
        Path p = dir.resolve("cmdline");
        Files.write(p, b.toByteArray());
        return p;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void asciiArgumentsAreTakenAsTheyAre() throws Exception {
        String[] args = {"get", "svc", "acct"};
        assertSame(args, Arguments.recover(args, dir.resolve("absent"), StandardCharsets.US_ASCII));
    }

    @Test
    void namesTheAsciiDecoderCollapsedAreRecoveredDistinct() throws Exception {
        Path p = cmdline(utf8("java"), utf8("-jar"), utf8("k.jar"), utf8("set"), utf8("\u00fc-svc"), utf8("acct"));
        assertArrayEquals(new String[] {"set", "\u00fc-svc", "acct"},
                Arguments.recover(new String[] {"set", "??-svc", "acct"}, p, StandardCharsets.US_ASCII));
        // what the Latin-1 decoder made of the UTF-8 bytes
        String latin1 = new String(utf8("\u00e9-svc"), StandardCharsets.ISO_8859_1);
        p = cmdline(utf8("java"), utf8("-jar"), utf8("k.jar"), utf8("get"), utf8("\u00e9-svc"), utf8("acct"));
        assertArrayEquals(new String[] {"get", "\u00e9-svc", "acct"},
                Arguments.recover(new String[] {"get", latin1, "acct"}, p, StandardCharsets.ISO_8859_1));
    }

    @Test
    void withoutAFaithfulCmdlineALossyNameIsRefused() throws Exception {
        String[] args = {"set", "??-svc", "acct"};
        Arguments.Lossy e = assertThrows(Arguments.Lossy.class, () -> Arguments.recover(args, dir.resolve("absent"), StandardCharsets.US_ASCII));
        assertTrue(e.getMessage().contains("argument 2") && e.getMessage().contains("UTF-8"), e.getMessage());
        // too few entries, entries that disagree on the ASCII letters, or bytes that are not UTF-8: not trusted
        Path shortOne = cmdline(utf8("??-svc"), utf8("acct"));
        assertThrows(Arguments.Lossy.class, () -> Arguments.recover(args, shortOne, StandardCharsets.US_ASCII));
        Path other = cmdline(utf8("java"), utf8("get"), utf8("\u00fc-svx"), utf8("acct"));
        assertThrows(Arguments.Lossy.class, () -> Arguments.recover(args, other, StandardCharsets.US_ASCII));
        Path latin1Bytes = cmdline(utf8("java"), utf8("set"), new byte[] {(byte) 0xfc, '-', 's', 'v', 'c'}, utf8("acct"));
        assertThrows(Arguments.Lossy.class, () -> Arguments.recover(new String[] {"set", "?-svc", "acct"}, latin1Bytes, StandardCharsets.US_ASCII));
        // under UTF-8 only a replacement character is a sign of loss
        assertThrows(Arguments.Lossy.class, () -> Arguments.recover(new String[] {"\uFFFD-svc"}, dir.resolve("absent"), StandardCharsets.UTF_8));
        assertArrayEquals(new String[] {"a?b", "\u00fc"}, Arguments.recover(new String[] {"a?b", "\u00fc"}, dir.resolve("absent"), StandardCharsets.UTF_8));
    }

    @Test
    void thisProcessesOwnCmdlineEndsWithNulSeparatedEntries() throws Exception {
        byte[] raw = Files.readAllBytes(Arguments.CMDLINE);
        assertTrue(raw.length > 0 && raw[raw.length - 1] == 0, "the format recover() reads");
        assertEquals(1, Arguments.recover(new String[] {"x"}).length);
    }
}
