package dev.keyring4j.secretservice;

import dev.keyring4j.testkit.SecretServiceFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link InteropContract} against a real gnome-keyring on a private bus. */
class SecretServiceInteropTest extends InteropContract {
    @BeforeAll
    static void startKeyring() {
        fixture = SecretServiceFixture.start();
        requireTools();
    }

    @AfterAll
    static void stopKeyring() {
        if (fixture != null) fixture.close();
        fixture = null;
    }
}
