package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.KeysetProtection;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.BackendUnavailableException;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The keys of a state about to be written: a new store's (its protection chosen, with the
 * fallback from {@code systemd-creds} to the key file for the default only), a version 1 store's
 * upgrade to the current format, and the replacement of a store's keysets and master secret
 * (rotate, rekey, passphrase change), with every live entry resealed under the new keys. Master
 * secrets are wiped once the KEK is derived.
 */
record KeyMaterial(StoreSettings settings, ProtectionKind defaultProtection, VerifiedFile file) {
    private static final System.Logger LOG = System.getLogger(EncryptedFileStore.class.getName());

    /** A new, empty store's keys and header (written by the caller). */
    Snapshot create() {
        ProtectionKind kind = settings.configuredProtection().orElse(defaultProtection);
        byte[] fileId = Random.randBytes(Header.FILE_ID_BYTES);
        KeysetProtection.Created c;
        try {
            c = KeysetProtection.of(kind, settings).create(fileId);
        } catch (BackendUnavailableException e) {
            if (kind != ProtectionKind.SYSTEMD_CREDS || settings.configuredProtection().isPresent()) throw e;
            // the default only: systemd-creds "where it works for this user", else the key file
            LOG.log(System.Logger.Level.WARNING, "systemd-creds does not work here ({0}); protecting {1} with the key file {2}",
                    e.getMessage(), settings.path(), settings.keyfileDescription());
            c = KeysetProtection.of(ProtectionKind.KEYFILE, settings).create(fileId);
        }
        Kek k;
        try {
            k = Kek.derive(c.master(), fileId);
        } finally {
            Keys.wipe(c.master());
        }
        Header h = c.header().withCheck(k.check());
        byte[] hb = StoreFile.headerBytes(h);
        Keys keys = Keys.generate();
        return new Snapshot(h, hb, 0, k.seal(keys, hb), keys, k, new TreeMap<>());
    }

    /**
     * Whether {@code base} must first be rotated onto a key file of its own before it is edited: a
     * {@code keyring4j-file/1} key file store whose key file is the name-derived one of version 1
     * (shared by stores of the same file name).
     */
    boolean needsOwnKeyfile(Snapshot base) {
        return base.header().version() == 1 && base.header().kind() == ProtectionKind.KEYFILE
                && settings.configuredKeyfile().isEmpty();
    }

    /** The rotation of {@code base} onto a key file of its own (see {@link #needsOwnKeyfile}). */
    VerifiedFile.Next ownKeyfile(Snapshot base) {
        KeysetProtection p = KeysetProtection.of(ProtectionKind.KEYFILE, settings);
        return replaced(base, base.header().fileId(), p, p.renew(base.header(), base.header().fileId()), () ->
                LOG.log(System.Logger.Level.INFO, "encrypted file store {0} was upgraded to {1} and moved to its own key file",
                        settings.path(), StoreFile.FORMAT));
    }

    /** {@code base} in the current format: a version 1 store's keyset re-sealed under the current header. */
    Snapshot inCurrentFormat(Snapshot base) {
        if (base.header().version() == StoreFile.VERSION) return base;
        Header h = base.header().current();
        byte[] hb = StoreFile.headerBytes(h);
        return new Snapshot(h, hb, base.generation(), base.kek().seal(base.keys(), hb), base.keys(), base.kek(), base.entries());
    }

    /**
     * {@code base} under new keysets and, when {@code renewed} is present, a new master secret and
     * header for {@code fileId}; the backup is pointed at the result, and {@code protection} is told
     * once it is in place.
     */
    VerifiedFile.Next replaced(Snapshot base, byte[] fileId, KeysetProtection protection, Optional<KeysetProtection.Created> renewed) {
        return replaced(base, fileId, protection, renewed, VerifiedFile.AfterCommit.NOTHING);
    }

    private VerifiedFile.Next replaced(Snapshot base, byte[] fileId, KeysetProtection protection, Optional<KeysetProtection.Created> renewed,
            VerifiedFile.AfterCommit then) {
        Kek newKek;
        Header h;
        if (renewed.isPresent()) {
            try {
                newKek = Kek.derive(renewed.get().master(), fileId);
            } finally {
                Keys.wipe(renewed.get().master());
            }
            h = renewed.get().header().withCheck(newKek.check());
        } else {
            newKek = base.kek();
            h = base.header().current();
        }
        byte[] hb = StoreFile.headerBytes(h);
        Keys newKeys = Keys.generate();
        long now = settings.clock().millis();
        TreeMap<String, Entry> entries = new TreeMap<>();
        for (Entry e : base.entries().values()) {
            if (e.expiredAt(now)) continue;
            Entry r = e.resealed(newKeys, fileId); // Entry.Undecryptable: damage, reported by VerifiedFile.mutate
            entries.put(r.id, r);
        }
        Header old = base.header();
        Snapshot next = new Snapshot(h, hb, base.generation(), newKek.seal(newKeys, hb), newKeys, newKek, entries);
        return new VerifiedFile.Next(next, PrivateFiles.Backup.SAME, () -> {
            protection.committed(old, h);
            then.run();
        });
    }
}
