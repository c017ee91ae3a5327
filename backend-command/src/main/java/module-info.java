/** keyring4j backend {@code command}: short-lived tokens from a configured command, cached in memory for a ttl. */
module dev.keyring4j.command {
    requires dev.keyring4j.support;
    requires dev.keyring4j;
    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.command.CommandProvider;
}
