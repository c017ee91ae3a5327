/** keyring4j backend {@code env}: read-only credentials from environment variables. */
module dev.keyring4j.env {
    requires dev.keyring4j;
    exports dev.keyring4j.env; // EnvVariableNames: the variable names, for operators and the CLI
    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.env.EnvProvider;
}
