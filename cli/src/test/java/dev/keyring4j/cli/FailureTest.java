package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Failure} and the command's handling of Errors, run in process through {@link Main#run}. */
class FailureTest {
    /** A stream whose read recurses until the stack overflows: a real StackOverflowError while {@code set} reads stdin. */
    static final class Deep extends InputStream {
        @Override
        public int read() {
            return read() + 1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return read();
        }
    }

    @Test
    void aStackOverflowIsOneLineNamingItsClass() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--backend", "env", "set", "a", "b"}, new Deep(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, text);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("java.lang.StackOverflowError") && text.contains("--debug"), text);
    }

    @Test
    void aJdkMessageIsWithheldInTheLineAndInTheTrace() {
        // the JDK quotes the value it rejects; here it stands for a secret
        IllegalArgumentException jdk = assertThrows(IllegalArgumentException.class,
                () -> new ProcessBuilder("true").environment().put("X", "a\0jdk-s3cret"));
        String line = Failure.line(jdk, false);
        assertFalse(line.contains("jdk-s3cret"), line);
        assertTrue(line.contains("java.lang.IllegalArgumentException") && line.contains("--debug"), line);
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        Failure.printTrace(new dev.keyring4j.KeyringException("keyring4j's own words", jdk), new PrintStream(trace, true, StandardCharsets.UTF_8));
        String t = trace.toString(StandardCharsets.UTF_8);
        assertTrue(t.contains("keyring4j's own words") && t.contains("Caused by: java.lang.IllegalArgumentException") && t.contains("\tat "), t);
        assertFalse(t.contains("jdk-s3cret"), t);
        assertEquals(Main.USAGE, Failure.exitCode(jdk));
    }

    @Test
    void controlCharactersCannotBreakTheLine() {
        assertEquals("a\\nb\\rc\\x00", Failure.oneLine("a\nb\rc\0"));
    }
}
