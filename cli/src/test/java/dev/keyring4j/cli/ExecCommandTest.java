package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExecCommandTest {
    @Test
    void bindingsSplitAtTheLastSlash() {
        assertEquals(new ExecCommand.Binding("TOKEN", "git:https://h.test/org", "alice"), ExecCommand.parse("TOKEN=git:https://h.test/org/alice"));
        assertEquals(new ExecCommand.Binding("A_1", "svc", "acct=x"), ExecCommand.parse("A_1=svc/acct=x"));
        assertThrows(IllegalArgumentException.class, () -> ExecCommand.parse("1A=svc/acct"));
        assertThrows(IllegalArgumentException.class, () -> ExecCommand.parse("A=svc"));
        assertThrows(IllegalArgumentException.class, () -> ExecCommand.parse("A=svc/"));
        assertThrows(IllegalArgumentException.class, () -> ExecCommand.parse("=svc/a"));
    }

    @Test
    void aPassEnvThatIsNotAVariableNameIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new String[] {"exec", "-e", "T=svc/acct", "--pass-env", "A=B", "--", "true"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.USAGE, rc);
        assertEquals("keyring4j: --pass-env A=B: not a variable name\n", err.toString(StandardCharsets.UTF_8));
    }
}
