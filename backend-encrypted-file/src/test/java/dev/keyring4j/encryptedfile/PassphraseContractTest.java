package dev.keyring4j.encryptedfile;

/**
 * The contract with the keyset protected by a passphrase, with the production Argon2id parameters
 * (m=19 MiB, t=2, p=1). Every new store costs one Argon2id derivation, so the properties run fewer tries.
 */
class PassphraseContractTest extends EncryptedFileContract {
    @Override
    String protection() {
        return "passphrase";
    }

    @Override
    protected int propertyTries() {
        return 100;
    }
}
