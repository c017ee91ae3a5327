package dev.keyring4j.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything written to {@code System.out} and {@code System.err} between {@link #start()} and
 * {@link #close()}, still echoed to the real streams. Boot's console logging writes through them.
 */
final class CapturedOutput implements AutoCloseable {
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private CapturedOutput() {
        System.setOut(new PrintStream(new Tee(out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err), true, StandardCharsets.UTF_8));
    }

    static CapturedOutput start() {
        return new CapturedOutput();
    }

    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
    }

    private final class Tee extends OutputStream {
        private final OutputStream echo;

        Tee(OutputStream echo) {
            this.echo = echo;
        }

        @Override
        public void write(int b) throws IOException {
            echo.write(b);
            synchronized (captured) {
                captured.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            echo.write(b, off, len);
            synchronized (captured) {
                captured.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            echo.flush();
        }
    }
}
