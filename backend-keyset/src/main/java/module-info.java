/**
 * The Tink keysets of keyring4j's encrypting backends and their protection (passphrase, systemd-creds,
 * key file), in one place: not public API. Exported only to the backends that encrypt, so a
 * third-party backend never depends on it and it may change in any release.
 */
module dev.keyring4j.keyset {
    requires transitive dev.keyring4j;
    requires dev.keyring4j.support;
    requires transitive com.google.crypto.tink;
    requires org.bouncycastle.provider;

    exports dev.keyring4j.keyset to dev.keyring4j.encryptedfile, dev.keyring4j.etcd;
}
