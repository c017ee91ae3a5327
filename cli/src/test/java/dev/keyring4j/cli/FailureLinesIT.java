package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a real process: every failure is one line on stderr and exit 2 or 3 (the docker
 * helper: one line on stdout, status 1), no stack trace unless {@code --debug}, and no byte of a
 * secret in any message, the JDK's included.
 */
class FailureLinesIT {
    @TempDir
    Path home;

    record Run(int exit, String out, String err) {
    }

    /** The jar (with these JVM options first) run with stdin from {@code stdin} (null: empty), in a private home. */
    private Run run(List<String> jvm, Map<String, String> env, File stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.java().toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", System.getProperty("keyring4j.cli.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.toUpperCase(java.util.Locale.ROOT).startsWith("KEYRING4J"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        pb.environment().putAll(env);
        pb.redirectInput(stdin == null ? new File("/dev/null") : stdin);
        Path out = home.resolve("stdout");
        Path err = home.resolve("stderr");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not end within 60 s: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void oneLineNoTrace(Run r, int... exits) {
        assertTrue(java.util.Arrays.stream(exits).anyMatch(e -> e == r.exit()), "exit " + r.exit() + ": " + r.err());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("keyring4j: "), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), r.err());
    }

    @Test
    void parseErrorsAreOneLineAndExitTwo() throws Exception {
        Run r = run(List.of(), Map.of(), null, "frobnicate");
        oneLineNoTrace(r, 2);
        assertTrue(r.err().contains("frobnicate") && r.err().contains("--help"), r.err());
        oneLineNoTrace(run(List.of(), Map.of(), null, "get", "--no-such-option", "a", "b"), 2);
        oneLineNoTrace(run(List.of(), Map.of(), null, "get", "only-service"), 2);
        oneLineNoTrace(run(List.of(), Map.of(), null, "set", "--ttl", "soon", "a", "b"), 2);
        // a name that looks like a picocli @file is a name: nothing is read from /dev/zero
        r = run(List.of(), Map.of(), null, "--backend", "env", "get", "@/dev/zero", "acct");
        oneLineNoTrace(r, 1);
        assertTrue(r.err().contains("'@/dev/zero'"), r.err());
    }

    @Test
    void aNewlineInANameCannotForgeASecondLine() throws Exception {
        Run r = run(List.of(), Map.of(), null, "get", "--no-such-option\nkeyring4j: forged", "a", "b");
        oneLineNoTrace(r, 2);
        assertTrue(r.err().contains("\\n"), r.err());
    }

    @Test
    void outOfMemoryIsOneLineWithItsClassAndTheDebugHint() throws Exception {
        // a small heap and /dev/zero as input: bounded reading (exit 2) or an OutOfMemoryError (exit 3), never a trace
        Path zeroFile = Path.of("/dev/zero");
        List<String> smallHeap = List.of("-Xmx48m");
        Run r = run(smallHeap, Map.of("KEYRING4J_Z_A_FILE", zeroFile.toString()), null, "--backend", "env", "get", "z", "a");
        oneLineNoTrace(r, 2, 3);
        if (r.exit() == 3) assertTrue(r.err().contains("java.lang.OutOfMemoryError") && r.err().contains("--debug"), r.err());
        oneLineNoTrace(run(smallHeap, Map.of(), zeroFile.toFile(), "--backend", "env", "set", "a", "b"), 2, 3);
        oneLineNoTrace(run(smallHeap, Map.of(), zeroFile.toFile(), "--backend", "env", "git-credential", "get"), 2, 3);
        // docker's convention: the error on stdout, status 1
        r = run(smallHeap, Map.of(), zeroFile.toFile(), "--backend", "env", "docker-credential", "get");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        assertEquals("", r.err());
    }

    @Test
    void debugAloneAddsTheTraceWithLibraryMessagesWithheld() throws Exception {
        Run r = run(List.of("-Xmx48m"), Map.of("KEYRING4J_Z_A_FILE", "/dev/zero"), null, "--backend", "env", "get", "--debug", "z", "a");
        assertTrue(r.exit() == 2 || r.exit() == 3, r.err());
        assertTrue(r.err().startsWith("keyring4j: "), r.err());
        assertTrue(r.err().contains("\tat "), "--debug prints the trace: " + r.err());
        assertFalse(r.err().contains("rerun with --debug"), r.err());
    }

    @Test
    void execNamesTheVariableNeverTheValueOfASecretWithANulByte() throws Exception {
        Path secret = home.resolve("nul.secret");
        Files.write(secret, "abc\0nul-s3cret-4f1a".getBytes(StandardCharsets.UTF_8));
        Run r = run(List.of(), Map.of("KEYRING4J_SVC_ACCT_FILE", secret.toString()), null,
                "--backend", "env", "exec", "--env", "TOKEN=svc/acct", "--", "true");
        oneLineNoTrace(r, 2);
        assertTrue(r.err().contains("TOKEN") && r.err().contains("NUL"), r.err());
        assertFalse(r.err().contains("nul-s3cret") || r.err().contains("abc"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void execPassesTheSecretsBytesUnchangedOrRefusesWhateverTheLocale() throws Exception {
        Path secret = home.resolve("u.secret");
        Files.write(secret, "p\u00e4ss-s3cret".getBytes(StandardCharsets.UTF_8));
        List<String> args = List.of("--backend", "env", "exec", "--env", "TOKEN=svc/acct", "--",
                "sh", "-c", "printf %s \"$TOKEN\" | od -An -tx1 | tr -d ' \\n'");
        String utf8Hex = "70c3a47373" + "2d7333637265" + "74";
        Map<String, String> env = Map.of("KEYRING4J_SVC_ACCT_FILE", secret.toString());
        Run utf8 = run(List.of(), with(env, "LC_ALL", "C.UTF-8"), null, args.toArray(String[]::new));
        assertEquals(0, utf8.exit(), utf8.err());
        assertEquals(utf8Hex, utf8.out());
        LocaleIT.requireLatin1Locale();
        Run latin1 = run(List.of(), with(env, "LC_ALL", LocaleIT.LATIN1), null, args.toArray(String[]::new));
        assertEquals(0, latin1.exit(), latin1.err());
        assertEquals(utf8Hex, latin1.out(), "the child gets the secret's UTF-8 bytes under a Latin-1 locale");
        Run ascii = run(List.of(), with(env, "LC_ALL", "C"), null, args.toArray(String[]::new));
        oneLineNoTrace(ascii, 2);
        assertTrue(ascii.err().contains("TOKEN") && ascii.err().contains("locale"), ascii.err());
        assertFalse(ascii.err().contains("s3cret"), ascii.err());
        assertEquals("", ascii.out(), "the command was not started");
    }

    private static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> m = new java.util.HashMap<>(env);
        m.put("LANG", v);
        m.put(k, v);
        return m;
    }
}
