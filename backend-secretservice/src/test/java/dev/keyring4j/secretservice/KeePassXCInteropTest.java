package dev.keyring4j.secretservice;

import dev.keyring4j.testkit.KeePassXCFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link InteropContract} against a real KeePassXC (no confirmations) on a private bus and Xvfb. */
class KeePassXCInteropTest extends InteropContract {
    private static KeePassXCFixture keepassxc;

    @BeforeAll
    static void startKeePassXC() {
        keepassxc = KeePassXCFixture.start();
        fixture = keepassxc.bus();
        requireTools();
    }

    @Override
    boolean otherClientsCanReplaceItems() {
        return false;
    }

    @AfterAll
    static void stopKeePassXC() {
        if (keepassxc != null) keepassxc.close();
        keepassxc = null;
        fixture = null;
    }
}
