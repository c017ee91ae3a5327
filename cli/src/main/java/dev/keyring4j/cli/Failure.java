package dev.keyring4j.cli;

import dev.keyring4j.KeyringException;
import dev.keyring4j.internal.RejectedInputException;
import java.io.PrintStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import picocli.CommandLine;

/**
 * How the command reports a failure: one line on stderr and an exit code, whatever was thrown
 * (an {@link Error} such as {@link OutOfMemoryError} included); the stack trace only with
 * {@code --debug}.
 *
 * <p>Guarantee: no message of a JDK or library exception is ever printed, in the line or in the
 * trace, because such messages can quote their input (e.g. the JDK's
 * {@code Invalid environment variable value: "<secret>"}). Only keyring4j's own messages, which never
 * hold a secret, and picocli's parse errors, which quote the command line (where secrets never
 * are), are shown; any other exception is named by its class.
 */
final class Failure {
    private static final String WITHHELD = "[message withheld: it may quote input, which can hold a secret]";

    private Failure() {
    }

    /** The exit code for {@code t}: 2 for bad input, 3 for a store error or anything unexpected. */
    static int exitCode(Throwable t) {
        if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException || rejectedInput(t)) return Main.USAGE;
        return Main.STORE_ERROR;
    }

    /** An input refused by its type or size (stdin, a _FILE, a configuration file), however wrapped: bad input. */
    private static boolean rejectedInput(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof RejectedInputException) return true;
        }
        return false;
    }

    /** Prints the one line (and, with {@code debug}, the scrubbed stack trace) for {@code t}; returns its exit code. */
    static int report(Throwable t, boolean debug, PrintStream err) {
        err.println("keyring4j: " + line(t, debug));
        if (debug) printTrace(t, err);
        err.flush();
        return exitCode(t);
    }

    /** The line, without the {@code keyring4j: } prefix. */
    static String line(Throwable t, boolean debug) {
        if (t instanceof CommandLine.ParameterException p) return oneLine(parseMessage(p));
        boolean expected = t instanceof KeyringException || t instanceof IllegalArgumentException
                || t instanceof UnsupportedOperationException || t instanceof RejectedInputException;
        if (expected && trusted(t) && t.getMessage() != null) return oneLine(t.getMessage());
        String hint = debug ? "" : "; rerun with --debug for the stack trace";
        if (t instanceof IllegalArgumentException) {
            return "invalid input: " + t.getClass().getName() + " from " + origin(t) + " " + WITHHELD + hint;
        }
        String message = trusted(t) && t.getMessage() != null ? ": " + oneLine(t.getMessage()) : "";
        return "unexpected " + t.getClass().getName() + message + " (in " + origin(t) + ")" + hint;
    }

    private static String parseMessage(CommandLine.ParameterException p) {
        StringBuilder m = new StringBuilder(p.getMessage() == null ? "invalid command line" : p.getMessage());
        if (p instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            m.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
        }
        String name = p.getCommandLine() == null ? "keyring4j" : p.getCommandLine().getCommandSpec().qualifiedName();
        return m.append("; ").append(name).append(" --help shows the usage").toString();
    }

    /**
     * Whether {@code t}'s message is keyring4j's own: a keyring4j exception type, or thrown by keyring4j
     * code. A {@link KeyringException} is trusted only for its own text; its cause is judged on its own.
     */
    static boolean trusted(Throwable t) {
        if (t.getClass().getName().startsWith("dev.keyring4j.")) return true;
        StackTraceElement[] frames = t.getStackTrace();
        return frames.length > 0 && frames[0].getClassName().startsWith("dev.keyring4j.");
    }

    private static String origin(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        return frames.length == 0 ? "an unknown place" : frames[0].getClassName();
    }

    /** The text on one line: CR, LF and other control characters escaped, so that a name cannot forge a second line. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** A stack trace like {@link Throwable#printStackTrace()}, with every untrusted message withheld. */
    static void printTrace(Throwable t, PrintStream err) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String prefix = "";
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            err.println(prefix + c.getClass().getName() + (c.getMessage() == null ? "" : ": " + (trusted(c) ? oneLine(c.getMessage()) : WITHHELD)));
            for (StackTraceElement f : c.getStackTrace()) err.println("\tat " + f);
            for (Throwable s : c.getSuppressed()) {
                err.println("\tSuppressed: " + s.getClass().getName() + (s.getMessage() == null ? "" : ": " + (trusted(s) ? oneLine(s.getMessage()) : WITHHELD)));
            }
            prefix = "Caused by: ";
        }
    }
}
