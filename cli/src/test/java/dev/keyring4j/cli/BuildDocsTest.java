package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The man page and the --json writer, generated from the command's own model and values. */
class BuildDocsTest {
    @Test
    void theManPageHasASectionForEverySubcommandWithItsOptions() {
        String man = BuildDocs.manPage(Main.commandLine(new Main(), null), "9.9.9");
        assertTrue(man.startsWith(".\\\" generated") && man.contains(".TH KEYRING4J 1 \"\" \"keyring4j 9.9.9\""), man);
        for (String sub : Distributions.subcommands()) {
            assertTrue(man.contains("\n.SS " + BuildDocs.esc(sub)), "a COMMANDS subsection for " + sub);
        }
        assertTrue(man.contains(".SS clear [\\-\\-yes] SERVICE\n"), man);
        assertTrue(man.contains(".B \\-\\-json\n"), "list/find/backends/diagnose document --json");
        assertTrue(man.contains(".SH EXIT STATUS\n.TP\n.B 0\nok\n"), man);
        // the root's options are listed once, under OPTIONS, not again under each command
        assertEquals(1, man.split("\\.B \\\\-b, \\\\-\\\\-backend", -1).length - 1, man);
    }

    @Test
    void troffControlCharactersAreEscaped() {
        assertEquals("\\&.hidden \\e \\-x", BuildDocs.esc(".hidden \\ -x"));
        assertEquals("\\&'quoted", BuildDocs.esc("'quoted"));
    }

    @Test
    void jsonValuesAreWrittenWithEscapes() {
        Map<String, Object> m = JsonOutput.object("s", "a\"b\\c\nd\u0001", "n", 5, "t", true, "z", null, "l", List.of("x", 1L));
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":5,\"t\":true,\"z\":null,\"l\":[\"x\",1]}", Json.value(m));
    }
}
