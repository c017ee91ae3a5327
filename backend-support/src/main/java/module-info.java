/**
 * What keyring4j's backends share, in one place: not public API. Exported only to keyring4j's own
 * modules, so a third-party backend never depends on it and it may change in any release.
 */
module dev.keyring4j.support {
    requires transitive dev.keyring4j;
    exports dev.keyring4j.support to dev.keyring4j.kernel, dev.keyring4j.secretservice, dev.keyring4j.systemdcreds,
            dev.keyring4j.encryptedfile, dev.keyring4j.keyset, dev.keyring4j.etcd, dev.keyring4j.command, dev.keyring4j.cli;
}
