package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** picocli builds only the subcommand that runs: how the arguments name it, and that help still lists every one. */
class SubcommandNameTest {
    @Test
    void theFirstArgumentThatIsNoRootOptionNamesTheSubcommand() {
        assertEquals("get", Main.subcommandName(new String[] {"get", "a", "b"}));
        assertEquals("get", Main.subcommandName(new String[] {"--backend", "env", "get", "a", "b"}));
        assertEquals("get", Main.subcommandName(new String[] {"-b", "get", "get", "a", "b"}), "an option's value is not the name");
        assertEquals("list", Main.subcommandName(new String[] {"--backend=kernel", "--debug", "list"}));
        assertEquals("list", Main.subcommandName(new String[] {"-c", "/tmp/x", "list"}));
        assertEquals("delete", Main.subcommandName(new String[] {"delete", "a", "b"}), "aliases count");
        assertNull(Main.subcommandName(new String[] {"--help"}));
        assertNull(Main.subcommandName(new String[] {"gett", "a", "b"}), "a typo: every subcommand, for picocli's suggestion");
        assertNull(Main.subcommandName(new String[] {"--", "get"}));
        assertNull(Main.subcommandName(new String[0]));
    }

    private static String run(int expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expected, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEverySubcommandAndATypoIsStillSuggested() {
        String help = run(0, "--help");
        for (Class<?> c : Main.SUBCOMMANDS) {
            String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
            org.junit.jupiter.api.Assertions.assertTrue(help.contains(name), name + " in:\n" + help);
        }
        String typo = run(2, "gett", "a", "b");
        org.junit.jupiter.api.Assertions.assertTrue(typo.contains("get"), typo);
    }

    @Test
    void aSubcommandsOwnHelpWorksWithOnlyItBuilt() {
        String help = run(0, "get", "--help");
        org.junit.jupiter.api.Assertions.assertTrue(help.contains("SERVICE") && help.contains("--no-newline"), help);
    }
}
