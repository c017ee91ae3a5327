/**
 * keyring4j: store and read {@code (service, account) → secret} in the best credential store the
 * machine offers, and say which one was used and why. Start at {@link dev.keyring4j.Keyring}.
 */
module dev.keyring4j {
    exports dev.keyring4j;
    exports dev.keyring4j.spi;
    requires jdk.jfr;
    uses dev.keyring4j.spi.CredentialStoreProvider;
}
