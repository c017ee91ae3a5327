package dev.keyring4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The program arguments byte-exact, whatever the locale. The JVM decodes {@code argv} with the
 * locale's charset ({@code sun.jnu.encoding}): under {@code LANG=C} both {@code ü-svc} and
 * {@code é-svc} arrive as {@code ??-svc}, two names collapsed into one. So the arguments are read
 * again from {@code /proc/self/cmdline} and decoded as UTF-8.
 *
 * <p>Guarantee: {@link #recover} returns either arguments that are exactly the UTF-8 the caller
 * passed, or arguments the JVM decoded losslessly, or fails; it never returns a name that may stand
 * for another one. Recovery is trusted only when the last {@code args.length} NUL-separated entries
 * of {@code /proc/self/cmdline} are strict UTF-8 and agree with the JVM's arguments on every ASCII
 * character.
 */
final class Arguments {
    static final Path CMDLINE = Path.of("/proc/self/cmdline");

    /** Thrown when an argument may have been decoded lossily and cannot be recovered; the message says which and what to do. */
    static final class Lossy extends IllegalArgumentException {
        Lossy(String message) {
            super(message);
        }
    }

    private Arguments() {
    }

    /** {@code args} as the caller's UTF-8 bytes say, read from {@link #CMDLINE} when the JVM's decoding may have lost bytes. */
    static String[] recover(String[] args) {
        return recover(args, CMDLINE, jvmCharset());
    }

    static String[] recover(String[] args, Path cmdline, Charset jvm) {
        boolean suspicious = false;
        for (String a : args) suspicious |= mayBeLossy(a, jvm);
        if (!suspicious) return args;
        Optional<String[]> exact = fromCmdline(args, cmdline);
        if (exact.isPresent()) return exact.get();
        for (int i = 0; i < args.length; i++) {
            if (mayBeLossy(args[i], jvm)) {
                throw new Lossy("argument " + (i + 1) + " ('" + Failure.oneLine(args[i]) + "') may have been decoded lossily under this locale ("
                        + jvm.name() + ") and cannot be read byte-exact from " + CMDLINE
                        + "; it is refused so that two different names never become one. Pass names as UTF-8 and run with a UTF-8 locale"
                        + " (e.g. LC_ALL=C.UTF-8)");
            }
        }
        return args;
    }

    /**
     * Whether the JVM's decoding of this argument may have lost bytes: a replacement character, or,
     * under a charset other than UTF-8, a {@code '?'} (what the ASCII decoder makes of a byte above
     * 127) or any non-ASCII character (the argument was not ASCII, so its bytes meant something else in UTF-8).
     */
    static boolean mayBeLossy(String arg, Charset jvm) {
        boolean utf8 = jvm.equals(StandardCharsets.UTF_8);
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\uFFFD') return true;
            if (!utf8 && (c == '?' || c > 0x7f)) return true;
        }
        return false;
    }

    static Optional<String[]> fromCmdline(String[] args, Path cmdline) {
        long budget = 4L << 20;
        for (String a : args) budget += 4L * a.length() + 1;
        byte[] raw;
        try (InputStream in = Files.newInputStream(cmdline)) {
            raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, budget + 1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (raw.length > budget || raw.length == 0 || raw[raw.length - 1] != 0) return Optional.empty();
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                byte[] e = new byte[i - start];
                System.arraycopy(raw, start, e, 0, e.length);
                entries.add(e);
                start = i + 1;
            }
        }
        // the program (java) and at least the jar or main class come before main's arguments
        if (entries.size() < args.length + 1) return Optional.empty();
        String[] out = new String[args.length];
        int first = entries.size() - args.length;
        for (int i = 0; i < args.length; i++) {
            try {
                out[i] = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(entries.get(first + i))).toString();
            } catch (CharacterCodingException notUtf8) {
                return Optional.empty();
            }
            if (!asciiSkeleton(out[i]).equals(asciiSkeleton(args[i]))) return Optional.empty();
        }
        return Optional.of(out);
    }

    /** The ASCII characters of {@code s} other than {@code '?'}: what every ASCII-compatible decoding keeps. */
    private static String asciiSkeleton(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c != '?') b.append(c);
        }
        return b.toString();
    }

    static Charset jvmCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }
}
