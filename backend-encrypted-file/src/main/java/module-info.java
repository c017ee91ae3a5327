/**
 * keyring4j's encrypted file backend ({@code encrypted-file}): a persistent credential store in one
 * Tink-encrypted JSON file whose keyset is protected by a passphrase (Argon2id), by
 * {@code systemd-creds}, or by a separate key file. See {@code docs/backends/encrypted-file.md}.
 */
module dev.keyring4j.encryptedfile {
    requires dev.keyring4j.support;
    requires dev.keyring4j.keyset;
    requires transitive dev.keyring4j;
    requires com.google.crypto.tink;
    requires com.fasterxml.jackson.databind;
    requires org.bouncycastle.provider;

    exports dev.keyring4j.encryptedfile;

    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.encryptedfile.EncryptedFileProvider;
}
