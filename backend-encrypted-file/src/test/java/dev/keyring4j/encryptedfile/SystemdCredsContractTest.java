package dev.keyring4j.encryptedfile;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.support.SystemdCredsRunner;
import dev.keyring4j.testkit.Prerequisites;

/** The contract with the keyset's key sealed by the real systemd-creds. */
class SystemdCredsContractTest extends EncryptedFileContract {
    @Override
    String protection() {
        return "systemd-creds";
    }

    @Override
    protected CredentialStore openStore() throws Exception {
        Prerequisites.requireProgram("systemd-creds");
        String why = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(System.getenv()));
        Prerequisites.require(why == null, "systemd-creds usable by this user (" + why + ")");
        return super.openStore();
    }
}
