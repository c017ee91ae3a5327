package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;

import dev.keyring4j.CredentialId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/**
 * One entry of a store as held in memory: its id and ciphertext exactly as in the file, and the
 * names and times from its decrypted payload. The secret is not kept: {@link #secret} decrypts it
 * again on each read.
 *
 * <p>An entry read from a file is <em>unopened</em>: its ciphertext is decrypted, and its names
 * checked against its id, only when something needs them ({@link #secret}, {@link #name},
 * {@link #expiredAt}), once; so opening a store costs no decryption. The file's MAC (or the journal
 * record's AEAD) has already authenticated every byte by then; what the first decryption adds is
 * the entry's binding to its id and file, which only a holder of the keys could break. When it
 * fails, the accessor throws {@link Undecryptable}, which the store reports as damage.
 *
 * <p>Payload (encrypted) layout, big-endian: {@code u8 version=1, u32 len, service UTF-8,
 * u32 len, account UTF-8, i64 created (epoch ms), i64 expires (epoch ms, 0 = never), u32 len, secret}.
 */
final class Entry {
    private static final int PAYLOAD_VERSION = 1;

    final String id;
    final String ciphertextText;
    private byte[] ciphertext; // decoded from ciphertextText when first needed
    // the keys and file id it is sealed under, for its first decryption
    private final Keys keys;
    private final byte[] fileId;
    private byte[] idBytes;
    private Meta meta; // null until opened; an entry lives in one store, whose calls are serialised

    /** What the decrypted payload says, besides the secret. */
    private record Meta(CredentialId name, long created, long expires) {
    }

    /** An entry that does not decrypt, or does not belong to its id and file. Carries no content. */
    static final class Undecryptable extends RuntimeException {
        Undecryptable() {
            super("an entry does not decrypt or does not belong to its id and file", null, false, false);
        }
    }

    private Entry(String id, byte[] idBytes, byte[] ciphertext, String ciphertextText, Keys keys, byte[] fileId, Meta meta) {
        this.id = id;
        this.idBytes = idBytes;
        this.ciphertext = ciphertext;
        this.ciphertextText = ciphertextText;
        this.keys = keys;
        this.fileId = fileId;
        this.meta = meta;
    }

    static String idText(byte[] idBytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
    }

    /** Whether the entry has expired (decrypts it first if it is unopened). */
    boolean expiredAt(long nowMillis) {
        long expires = meta().expires;
        return expires != 0 && expires <= nowMillis;
    }

    /** Its names (decrypts it first if it is unopened). */
    CredentialId name() {
        return meta().name;
    }

    /** The ciphertext, exactly as in the file (base64-decoded, strictly, when first needed). */
    byte[] ciphertext() {
        if (ciphertext == null) {
            try {
                byte[] b = Base64.getDecoder().decode(ciphertextText);
                if (!Base64.getEncoder().encodeToString(b).equals(ciphertextText)) throw new Undecryptable();
                ciphertext = b;
            } catch (IllegalArgumentException e) {
                throw new Undecryptable();
            }
        }
        return ciphertext;
    }

    /** The raw id bytes (the PRF output the id text encodes). */
    byte[] idBytes() {
        if (idBytes == null) {
            try {
                idBytes = decodeId(id);
            } catch (GeneralSecurityException e) {
                throw new Undecryptable();
            }
        }
        return idBytes;
    }

    private Meta meta() {
        if (meta == null) {
            byte[] s = secret();
            Keys.wipe(s);
        }
        return meta;
    }

    /** Encrypts a new entry. */
    static Entry seal(Keys keys, byte[] fileId, CredentialId name, byte[] secret, long created, long expires) {
        byte[] service = name.service().getBytes(StandardCharsets.UTF_8);
        byte[] account = name.account().getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = keys.entryId(service, account);
        ByteBuffer p = ByteBuffer.allocate(1 + 4 + service.length + 4 + account.length + 8 + 8 + 4 + secret.length);
        p.put((byte) PAYLOAD_VERSION).putInt(service.length).put(service).putInt(account.length).put(account)
                .putLong(created).putLong(expires).putInt(secret.length).put(secret);
        byte[] plain = p.array();
        try {
            byte[] ct = keys.encryptEntry(plain, fileId, idBytes);
            return new Entry(idText(idBytes), idBytes, ct, Base64.getEncoder().encodeToString(ct), keys, fileId, new Meta(name, created, expires));
        } finally {
            Keys.wipe(plain);
        }
    }

    /** An entry read from a file, not yet decrypted: the first use decrypts and checks it. {@code ciphertext} may be null (decoded from the text when needed). */
    static Entry unopened(Keys keys, byte[] fileId, String id, byte[] ciphertext, String ciphertextText) {
        return new Entry(id, null, ciphertext, ciphertextText, keys, fileId, null);
    }

    /** Decrypts and checks an entry read from a file now; any mismatch is a GeneralSecurityException. */
    static Entry open(Keys keys, byte[] fileId, String id, byte[] ciphertext, String ciphertextText) throws GeneralSecurityException {
        Entry e = unopened(keys, fileId, id, ciphertext, ciphertextText);
        try {
            e.meta();
        } catch (Undecryptable u) {
            throw new GeneralSecurityException("entry does not decrypt or does not match its id");
        }
        return e;
    }

    /**
     * The secret of this entry; the caller wipes it. The first call also checks that the names
     * hash to the id and keeps the names and times.
     *
     * @throws Undecryptable when it does not decrypt or does not belong to its id and file
     */
    byte[] secret() {
        try {
            byte[] plain = keys.decryptEntry(ciphertext(), fileId, idBytes());
            try {
                Payload p = Payload.parse(plain);
                if (meta == null) {
                    byte[] expectedId = keys.entryId(p.service, p.account);
                    if (!Arrays.equals(expectedId, idBytes)) throw new GeneralSecurityException("entry id does not match its names");
                    meta = new Meta(new CredentialId(utf8(p.service), utf8(p.account)), p.created, p.expires);
                }
                return p.secret();
            } finally {
                Keys.wipe(plain);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Undecryptable();
        }
    }

    /** The payload of this entry re-encrypted under other keys and file id (rotation, rekey); the caller wipes nothing. */
    Entry resealed(Keys newKeys, byte[] newFileId) {
        byte[] secret = secret();
        try {
            Meta m = meta;
            return seal(newKeys, newFileId, m.name, secret, m.created, m.expires);
        } finally {
            Keys.wipe(secret);
        }
    }

    /** The bytes of an id this store made itself (a key of a verified state). */
    static byte[] decodeIdUnchecked(String id) {
        return Base64.getUrlDecoder().decode(id);
    }

    static byte[] decodeId(String id) throws GeneralSecurityException {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("entry id is not base64url");
        }
        if (b.length != Keys.ID_BYTES || !idText(b).equals(id)) throw new GeneralSecurityException("malformed entry id");
        return b;
    }

    private static String utf8(byte[] b) throws GeneralSecurityException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GeneralSecurityException("name is not UTF-8");
        }
    }

    /** A decrypted payload; offsets into the plaintext are copied out. */
    private record Payload(byte[] service, byte[] account, long created, long expires, int secretOffset, int secretLength, byte[] plain) {
        static Payload parse(byte[] plain) throws GeneralSecurityException {
            try {
                ByteBuffer in = ByteBuffer.wrap(plain);
                if (in.get() != PAYLOAD_VERSION) throw new GeneralSecurityException("unknown payload version");
                byte[] service = bytes(in);
                byte[] account = bytes(in);
                long created = in.getLong();
                long expires = in.getLong();
                int len = in.getInt();
                if (len < 0 || len != in.remaining()) throw new GeneralSecurityException("bad payload length");
                return new Payload(service, account, created, expires, in.position(), len, plain);
            } catch (BufferUnderflowException e) {
                throw new GeneralSecurityException("truncated payload");
            }
        }

        private static byte[] bytes(ByteBuffer in) throws GeneralSecurityException {
            int len = in.getInt();
            if (len <= 0 || len > in.remaining()) throw new GeneralSecurityException("bad name length");
            byte[] b = new byte[len];
            in.get(b);
            return b;
        }

        byte[] secret() {
            return Arrays.copyOfRange(plain, secretOffset, secretOffset + secretLength);
        }
    }

    @Override
    public String toString() {
        return "Entry[" + id + "]";
    }
}
