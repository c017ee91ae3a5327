package dev.keyring4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import org.junit.jupiter.api.Test;

/** Both ways to syscall(2), the function pointer of the first calls and direct mapping after, give the same answers. */
class KeyctlSyscallsTest {
    @Test
    void theFunctionPointerAndDirectMappingAnswerAlike() {
        Prerequisites.requireProgram("keyctl");
        assertNull(KeyctlSyscalls.UNSUPPORTED);
        long user = KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, KeyctlSyscalls.USER_KEYRING, 0, 0, 0);
        assertTrue(user > 0, "the user keyring's id: " + user);
        long missing = KeyctlSyscalls.keyctl(KeyctlSyscalls.DESCRIBE, 0x7ffffff0, 0, 0, 0);
        for (int i = 0; i < 200; i++) {
            assertEquals(user, KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, KeyctlSyscalls.USER_KEYRING, 0, 0, 0), "call " + i);
            assertEquals(missing, KeyctlSyscalls.keyctl(KeyctlSyscalls.DESCRIBE, 0x7ffffff0, 0, 0, 0), "an error as -errno, call " + i);
        }
        assertTrue(missing < 0, "no such key: " + missing);
        assertTrue(KeyctlSyscalls.direct(), "after 400 calls they go through direct mapping");
        // whatever ran before in this JVM, both ways are now compared call for call
        for (int i = 0; i < 10; i++) {
            assertEquals(KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, KeyctlSyscalls.USER_KEYRING, 0, 0, 0),
                    KeyctlSyscalls.keyctlViaPointer(KeyctlSyscalls.GET_KEYRING_ID, KeyctlSyscalls.USER_KEYRING, 0, 0, 0));
            assertEquals(KeyctlSyscalls.keyctl(KeyctlSyscalls.DESCRIBE, 0x7ffffff0, 0, 0, 0),
                    KeyctlSyscalls.keyctlViaPointer(KeyctlSyscalls.DESCRIBE, 0x7ffffff0, 0, 0, 0));
        }
    }
}
