/**
 * keyring4j backend {@code systemd-creds}: read-only credentials from systemd's
 * {@code $CREDENTIALS_DIRECTORY}, mounted secret directories and credstores, plus provisioning of
 * encrypted credentials ({@link dev.keyring4j.systemdcreds.SystemdCredentials}).
 */
module dev.keyring4j.systemdcreds {
    requires dev.keyring4j.support;
    // transitive: the exported SystemdCredentials and the provider take and return dev.keyring4j types
    requires transitive dev.keyring4j;
    exports dev.keyring4j.systemdcreds;
    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.systemdcreds.SystemdCredentialsProvider;
}
