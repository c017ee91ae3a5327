/**
 * keyring4j: store and read {@code (service, account) → secret} in the best credential store the
 * machine offers, and say which one was used and why. Start at {@link dev.keyring4j.Keyring}.
 */
module dev.keyring4j {
    exports dev.keyring4j;
    exports dev.keyring4j.spi;
    // not API: bounded, type-checked input and the shared watch machinery, for keyring4j's own modules only
    exports dev.keyring4j.internal to dev.keyring4j.support, dev.keyring4j.keyset, dev.keyring4j.env, dev.keyring4j.systemdcreds,
            dev.keyring4j.encryptedfile, dev.keyring4j.command, dev.keyring4j.kernel, dev.keyring4j.secretservice, dev.keyring4j.etcd, dev.keyring4j.cli,
            dev.keyring4j.testkit;
    requires jdk.jfr;
    uses dev.keyring4j.spi.CredentialStoreProvider;
}
