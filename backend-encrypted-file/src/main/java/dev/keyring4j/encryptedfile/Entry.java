package dev.keyring4j.encryptedfile;

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
 * <p>Payload (encrypted) layout, big-endian: {@code u8 version=1, u32 len, service UTF-8,
 * u32 len, account UTF-8, i64 created (epoch ms), i64 expires (epoch ms, 0 = never), u32 len, secret}.
 */
final class Entry {
    private static final int PAYLOAD_VERSION = 1;

    final String id;
    final byte[] idBytes;
    final byte[] ciphertext;
    final String ciphertextText;
    final CredentialId name;
    final long created;
    final long expires;

    private Entry(String id, byte[] idBytes, byte[] ciphertext, String ciphertextText, CredentialId name, long created, long expires) {
        this.id = id;
        this.idBytes = idBytes;
        this.ciphertext = ciphertext;
        this.ciphertextText = ciphertextText;
        this.name = name;
        this.created = created;
        this.expires = expires;
    }

    static String idText(byte[] idBytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
    }

    boolean expiredAt(long nowMillis) {
        return expires != 0 && expires <= nowMillis;
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
            return new Entry(idText(idBytes), idBytes, ct, Base64.getEncoder().encodeToString(ct), name, created, expires);
        } finally {
            Keys.wipe(plain);
        }
    }

    /** Decrypts and checks an entry read from a file; any mismatch is a GeneralSecurityException. */
    static Entry open(Keys keys, byte[] fileId, String id, byte[] ciphertext, String ciphertextText) throws GeneralSecurityException {
        byte[] idBytes = decodeId(id);
        byte[] plain = keys.decryptEntry(ciphertext, fileId, idBytes);
        try {
            Payload p = Payload.parse(plain);
            byte[] expectedId = keys.entryId(p.service, p.account);
            if (!Arrays.equals(expectedId, idBytes)) throw new GeneralSecurityException("entry id does not match its names");
            CredentialId name = new CredentialId(utf8(p.service), utf8(p.account));
            return new Entry(id, idBytes, ciphertext, ciphertextText, name, p.created, p.expires);
        } finally {
            Keys.wipe(plain);
        }
    }

    /** The secret of this entry; the caller wipes it. */
    byte[] secret(Keys keys, byte[] fileId) throws GeneralSecurityException {
        byte[] plain = keys.decryptEntry(ciphertext, fileId, idBytes);
        try {
            return Payload.parse(plain).secret();
        } finally {
            Keys.wipe(plain);
        }
    }

    /** The payload of this entry re-encrypted under other keys and file id (rotation, rekey); the caller wipes nothing. */
    Entry resealed(Keys oldKeys, byte[] oldFileId, Keys newKeys, byte[] newFileId) throws GeneralSecurityException {
        byte[] secret = secret(oldKeys, oldFileId);
        try {
            return seal(newKeys, newFileId, name, secret, created, expires);
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
