package dev.keyring4j.keyset;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A store's Tink keysets: AES256-GCM for entries, HMAC-SHA256 PRF for entry ids, HMAC-SHA256
 * MAC for the whole file (journal records are sealed with the AES256-GCM keyset). Immutable; rotation returns new keys.
 */
public final class Keys {
    static {
        try {
            AeadConfig.register();
            PrfConfig.register();
            MacConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final byte[] ID_DOMAIN = "keyring4j-id/1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENTRY_DOMAIN = "keyring4j-entry/1".getBytes(StandardCharsets.US_ASCII);
    private static final int CONTAINER_VERSION = 1;
    /** The length of an entry id. */
    public static final int ID_BYTES = 32;

    private final KeysetHandle aeadKeys;
    private final KeysetHandle prfKeys;
    private final KeysetHandle macKeys;
    private final Aead aead;
    private final PrfSet prf;
    private final Mac mac;

    private Keys(KeysetHandle aeadKeys, KeysetHandle prfKeys, KeysetHandle macKeys) throws GeneralSecurityException {
        this.aeadKeys = aeadKeys;
        this.prfKeys = prfKeys;
        this.macKeys = macKeys;
        this.aead = aeadKeys.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.prf = prfKeys.getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        this.mac = macKeys.getPrimitive(RegistryConfiguration.get(), Mac.class);
    }

    /** Fresh keysets. */
    public static Keys generate() {
        try {
            return new Keys(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, RegistryConfiguration.get()),
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF, RegistryConfiguration.get()),
                    KeysetHandle.generateNew(PredefinedMacParameters.HMAC_SHA256_256BITTAG, RegistryConfiguration.get()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate keys", e);
        }
    }

    /** New keys whose primaries are fresh; the old keys are dropped, since rotation re-encrypts everything at once. */
    public Keys rotated() {
        try {
            return new Keys(rotate(aeadKeys, PredefinedAeadParameters.AES256_GCM),
                    rotate(prfKeys, PredefinedPrfParameters.HMAC_SHA256_PRF),
                    rotate(macKeys, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate keys", e);
        }
    }

    private static KeysetHandle rotate(KeysetHandle handle, Parameters parameters) throws GeneralSecurityException {
        KeysetHandle.Builder b = KeysetHandle.newBuilder(handle);
        b.addEntry(KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary());
        while (b.size() > 1) b.deleteAt(0);
        return b.build();
    }


    /**
     * For an online rotation (etcd): the same keys plus a fresh entry key that becomes the primary;
     * the old entry keys still decrypt what they encrypted, the id (PRF) and MAC keys are unchanged,
     * so key paths stay where they are while values are re-encrypted one by one.
     */
    public Keys withNewEntryPrimary() {
        try {
            KeysetHandle.Builder b = KeysetHandle.newBuilder(aeadKeys);
            b.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary());
            return new Keys(b.build(), prfKeys, macKeys);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot generate keys", e);
        }
    }

    /** The end of an online rotation: only the primary entry key is kept (everything was re-encrypted under it). */
    public Keys withPrimaryEntryKeyOnly() {
        try {
            KeysetHandle.Builder b = KeysetHandle.newBuilder(aeadKeys);
            for (int i = b.size() - 1; i >= 0; i--) if (!b.getAt(i).isPrimary()) b.deleteAt(i);
            return new Keys(b.build(), prfKeys, macKeys);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot rebuild the keyset", e);
        }
    }

    /** How many entry keys there are (1, or 2 during an online rotation). */
    public int entryKeyCount() {
        return aeadKeys.size();
    }

    /** The three keysets, serialized; the caller wipes the result. */
    public byte[] serialize() {
        byte[] a = null;
        byte[] p = null;
        byte[] m = null;
        try {
            a = TinkProtoKeysetFormat.serializeKeyset(aeadKeys, InsecureSecretKeyAccess.get(), RegistryConfiguration.get());
            p = TinkProtoKeysetFormat.serializeKeyset(prfKeys, InsecureSecretKeyAccess.get(), RegistryConfiguration.get());
            m = TinkProtoKeysetFormat.serializeKeyset(macKeys, InsecureSecretKeyAccess.get(), RegistryConfiguration.get());
            ByteBuffer out = ByteBuffer.allocate(1 + 12 + a.length + p.length + m.length);
            out.put((byte) CONTAINER_VERSION);
            for (byte[] k : new byte[][] {a, p, m}) out.putInt(k.length).put(k);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink cannot serialize the keyset", e);
        } finally {
            wipe(a);
            wipe(p);
            wipe(m);
        }
    }

    /** Parses what {@link #serialize()} wrote. */
    public static Keys parse(byte[] container) throws GeneralSecurityException {
        ByteBuffer in = ByteBuffer.wrap(container);
        if (in.remaining() < 1 || in.get() != CONTAINER_VERSION) throw new GeneralSecurityException("unknown keyset container");
        KeysetHandle[] handles = new KeysetHandle[3];
        for (int i = 0; i < 3; i++) {
            if (in.remaining() < 4) throw new GeneralSecurityException("truncated keyset container");
            int len = in.getInt();
            if (len < 0 || len > in.remaining()) throw new GeneralSecurityException("truncated keyset container");
            byte[] k = new byte[len];
            in.get(k);
            try {
                handles[i] = TinkProtoKeysetFormat.parseKeyset(k, InsecureSecretKeyAccess.get(), RegistryConfiguration.get());
            } catch (RuntimeException e) {
                // Tink throws IllegalArgumentException for some malformed keysets (an unknown enum value)
                throw new GeneralSecurityException("malformed keyset in keyset container");
            } finally {
                wipe(k);
            }
        }
        if (in.hasRemaining()) throw new GeneralSecurityException("trailing bytes in keyset container");
        try {
            return new Keys(handles[0], handles[1], handles[2]);
        } catch (RuntimeException e) {
            throw new GeneralSecurityException("keyset container holds keys of the wrong kind");
        }
    }

    /** The entry id: the PRF of the length-prefixed UTF-8 names, so names never appear in the file. */
    public byte[] entryId(byte[] service, byte[] account) {
        ByteBuffer in = ByteBuffer.allocate(ID_DOMAIN.length + 8 + service.length + account.length);
        in.put(ID_DOMAIN).putInt(service.length).put(service).putInt(account.length).put(account);
        try {
            return prf.computePrimary(in.array(), ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink PRF failed", e);
        }
    }

    /** Associated data of an entry: binds its ciphertext to its id and to the file. */
    public static byte[] entryAssociatedData(byte[] fileId, byte[] entryId) {
        return ByteBuffer.allocate(ENTRY_DOMAIN.length + fileId.length + entryId.length)
                .put(ENTRY_DOMAIN).put(fileId).put(entryId).array();
    }

    /** An entry's ciphertext, bound to {@code fileId} and {@code entryId}. */
    public byte[] encryptEntry(byte[] plaintext, byte[] fileId, byte[] entryId) {
        try {
            return aead.encrypt(plaintext, entryAssociatedData(fileId, entryId));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink AEAD failed", e);
        }
    }

    /** The plaintext of {@link #encryptEntry}; fails on any change or another id. */
    public byte[] decryptEntry(byte[] ciphertext, byte[] fileId, byte[] entryId) throws GeneralSecurityException {
        return aead.decrypt(ciphertext, entryAssociatedData(fileId, entryId));
    }

    /** A journal record sealed with the entry AEAD; {@code associatedData} starts with the journal's own domain, so it never opens as an entry. */
    public byte[] encryptRecord(byte[] plaintext, byte[] associatedData) {
        try {
            return aead.encrypt(plaintext, associatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink AEAD failed", e);
        }
    }

    /** The plaintext of {@link #encryptRecord}. */
    public byte[] decryptRecord(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return aead.decrypt(ciphertext, associatedData);
    }

    /** The MAC of a whole file body. */
    public byte[] fileMac(byte[] body) {
        try {
            return mac.computeMac(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Tink MAC failed", e);
        }
    }

    /** Fails unless {@code tag} is the MAC of {@code body}. */
    public void verifyFileMac(byte[] tag, byte[] body) throws GeneralSecurityException {
        mac.verifyMac(tag, body);
    }

    /** Zeroes {@code b} (null is allowed). */
    public static void wipe(byte[] b) {
        if (b != null) Arrays.fill(b, (byte) 0);
    }

    @Override
    public String toString() {
        return "Keys[redacted]";
    }

}
