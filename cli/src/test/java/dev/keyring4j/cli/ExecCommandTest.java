package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
