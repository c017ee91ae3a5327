package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names survive every locale: the jar under {@code LC_ALL=C} and under a Latin-1 locale stores two
 * names that differ only in non-ASCII letters in a real encrypted file store, reads both back, and
 * {@code list} prints their UTF-8 bytes. The names are made by {@code printf} from octal escapes, so
 * that the bytes on the command line do not depend on this test JVM's own locale.
 */
class LocaleIT {
    static final String LATIN1 = "en_US.ISO-8859-1";
    private static final String U_SVC = "\\303\\274-svc"; // ü-svc in UTF-8
    private static final String E_SVC = "\\303\\251-svc"; // é-svc in UTF-8

    @TempDir
    Path home;

    record Run(int exit, byte[] out, String err) {
    }

    /** Fails under CI (skips elsewhere) when the Latin-1 locale is not generated (.ci/run does it with localedef). */
    static void requireLatin1Locale() throws Exception {
        Process p = new ProcessBuilder("locale", "-a").redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Prerequisites.require(all.lines().anyMatch(l -> l.equalsIgnoreCase("en_US.iso88591") || l.equalsIgnoreCase(LATIN1)),
                "the locale " + LATIN1 + " (apt-get install locales; localedef -i en_US -f ISO-8859-1 " + LATIN1 + ")");
    }

    /** The jar under {@code locale}; each argument is a printf format (octal escapes allowed). */
    private Run run(String locale, String stdin, String... printfArgs) throws Exception {
        Path cfg = home.resolve("k.properties");
        if (!Files.exists(cfg)) Files.writeString(cfg, "backend = encrypted-file\nencrypted-file.protection = keyfile\n");
        StringBuilder script = new StringBuilder("exec \"$0\" -jar \"$1\" --config \"$2\"");
        for (String a : printfArgs) script.append(" \"$(printf '").append(a).append("')\"");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script.toString(), Processes.java().toString(),
                System.getProperty("keyring4j.cli.jar"), cfg.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.toUpperCase(java.util.Locale.ROOT).startsWith("KEYRING4J") || k.startsWith("LC_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        pb.environment().put("XDG_STATE_HOME", home.resolve("state").toString());
        pb.environment().put("LANG", locale);
        pb.environment().put("LC_ALL", locale);
        Process p = pb.start();
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not end: " + cmd);
        }
        return new Run(p.exitValue(), out, err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", LATIN1})
    void twoNamesThatDifferOnlyInNonAsciiLettersStayTwo(String locale) throws Exception {
        if (!locale.equals("C")) requireLatin1Locale();
        Run r = run(locale, "for-u\n", "set", U_SVC, "acct");
        assertEquals(0, r.exit(), r.err());
        r = run(locale, "for-e\n", "set", E_SVC, "acct");
        assertEquals(0, r.exit(), r.err());
        r = run(locale, null, "get", U_SVC, "acct");
        assertEquals(0, r.exit(), r.err());
        assertEquals("for-u\n", new String(r.out(), StandardCharsets.UTF_8), "get ü-svc returns ü-svc's secret");
        r = run(locale, null, "get", E_SVC, "acct");
        assertEquals(0, r.exit(), r.err());
        assertEquals("for-e\n", new String(r.out(), StandardCharsets.UTF_8), "get é-svc returns é-svc's secret");
        r = run(locale, null, "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("\u00e9-svc\tacct", "\u00fc-svc\tacct"),
                new String(r.out(), StandardCharsets.UTF_8).lines().sorted().toList(), "list prints UTF-8 bytes under " + locale);
        // a message naming the name is UTF-8 too
        r = run(locale, null, "get", U_SVC, "nobody");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("'\u00fc-svc'"), r.err());
    }

    @Test
    void aNameThatIsNotUtf8IsRefusedNeverMixedUp() throws Exception {
        requireLatin1Locale();
        // \374 is ü in Latin-1: not UTF-8, so it cannot be read byte-exact; refused rather than guessed
        Run r = run(LATIN1, "x\n", "set", "\\374-svc", "acct");
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("argument") && r.err().contains("UTF-8"), r.err());
        r = run("C", null, "list");
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(new byte[0], r.out(), "nothing was stored");
        assertFalse(r.err().contains("\tat "), r.err());
    }
}
