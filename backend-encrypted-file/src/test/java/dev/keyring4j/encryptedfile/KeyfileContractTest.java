package dev.keyring4j.encryptedfile;

/** The contract with the keyset protected by a key file. */
class KeyfileContractTest extends EncryptedFileContract {
    @Override
    String protection() {
        return "keyfile";
    }
}
