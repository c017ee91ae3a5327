/** keyring4j backend {@code env}: read-only credentials from environment variables. */
module dev.keyring4j.env {
    requires dev.keyring4j;
    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.env.EnvProvider;
}
