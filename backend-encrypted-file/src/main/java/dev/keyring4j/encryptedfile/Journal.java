package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The journal of a {@code keyring4j-file/4} (or /3) store: {@code <store>.journal}, the writes made since
 * the store file (the base) was last rewritten, one authenticated record per changed entry. A set
 * appends a record and fdatasyncs it; once the journal holds {@link #compactAfter} records (and on
 * any key change) the journal is folded into a new base and replaced by an empty one.
 *
 * <pre>
 * header : "keyring4j-journal/1\n" | file id (16) | base generation (u64) | SHA-256 of the base's MAC (32) | SHA-256 of the 76 bytes before (32)
 * record : u32 length | u32 ~length | length bytes: the store's AES256-GCM AEAD of the payload
 * payload: u8 kind (1 put, 2 delete) | entry id (32) | put: the entry's ciphertext, as it stands in a base
 * associated data of record i (1, 2, …): "keyring4j-journal/1" | file id | base generation | i | SHA-256 of record i-1's ciphertext
 *                                      (for i = 1, the header's own SHA-256)
 * </pre>
 *
 * <p>So a record is bound to its store, to its base (the header names the base's MAC, which covers
 * every byte of it), to its place and to every record before it: a changed, reordered, removed,
 * repeated or spliced record does not decrypt. The rules a reader applies:
 * <ul>
 * <li>a header that names the base read is <em>current</em>: base plus records is the state, its
 *     generation the base's plus the number of records;</li>
 * <li>a header whose checksum holds and whose base generation is lower than the base's is
 *     <em>stale</em>, left by a rewrite killed before it replaced the journal: everything in it is
 *     in the base already, and it is ignored (the next write replaces it);</li>
 * <li>a higher base generation means the base is an older copy (treated as a rollback); anything
 *     else (a checksum, magic or frame that does not hold, an equal generation naming another base)
 *     is damage;</li>
 * <li>a <em>torn tail</em>, bytes after the last complete record that are a strict prefix of a
 *     frame (fewer than 8 bytes, or a length and its complement that agree but run past the end), is
 *     what a writer killed during its append leaves: that write was never acknowledged (a set returns
 *     only after the fdatasync and the generation record), so it is ignored, and the next writer cuts
 *     it off before appending. A length whose complement does not match is damage, never a torn
 *     tail, so no flipped byte can turn a complete record into an ignored one; a record cut off by
 *     an attacker lowers the generation below the remembered one, which the rollback guard refuses.</li>
 * </ul>
 */
final class Journal {
    /** The fewest records a journal may hold before the next write rewrites the base. */
    static final int COMPACT_AFTER = 256;

    /**
     * Records after which the next write rewrites the base instead of appending, for a store of
     * {@code entries} entries: {@value #COMPACT_AFTER}, or one record per 8 entries in a larger
     * store. A rewrite costs in proportion to the entries and an open replays every record, so
     * this keeps both the rewrite's share of a set and the replay's share of an open a fixed
     * fraction (about 1/8 of a rewrite per 8 sets; at most 1/8 of the entries replayed).
     */
    static int compactAfter(int entries) {
        return Math.max(COMPACT_AFTER, entries / 8);
    }
    static final byte PUT = 1;
    static final byte DELETE = 2;
    private static final byte[] MAGIC = "keyring4j-journal/1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AD_DOMAIN = "keyring4j-journal/1".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKED = MAGIC.length + Header.FILE_ID_BYTES + 8 + 32;
    static final int HEADER_BYTES = CHECKED + 32;
    private static final int FRAME = 8;
    // Tink AES-GCM: 5-byte prefix, 12-byte nonce, 16-byte tag, around at least kind + id
    private static final int MIN_RECORD = 5 + 12 + 16 + 1 + Keys.ID_BYTES;

    private Journal() {
    }

    /** One change of an entry: {@code ciphertext} is null for a delete. */
    record Edit(byte[] entryId, byte[] ciphertext) {
    }

    /**
     * Where a state stands in its journal.
     *
     * @param header  the header of the journal of this state's base
     * @param current whether the journal file on disk has this header (appending is possible)
     * @param records the records applied
     * @param last    the SHA-256 chaining the next record (of the last record, or of the header)
     * @param length  the journal's length up to the end of the last complete record
     */
    record Position(byte[] header, boolean current, int records, byte[] last, long length) {
        static Position fresh(byte[] header, boolean current) {
            return new Position(header, current, 0, Arrays.copyOfRange(header, CHECKED, HEADER_BYTES), current ? HEADER_BYTES : 0);
        }

        Position after(int n, byte[] newLast, long newLength) {
            return new Position(header, true, records + n, newLast, newLength);
        }
    }

    /** A journal read without keys: its header and the frames of its complete records. */
    record Frames(byte[] header, long baseGeneration, int count, int[] offsets, int[] lengths, int validLength) {
    }

    // ------------------------------------------------------------------ header

    /** The header of the journal of a base with this id, generation and MAC. */
    static byte[] header(byte[] fileId, long baseGeneration, byte[] baseMac) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.put(MAGIC).put(fileId).putLong(baseGeneration).put(StoreFile.sha256(baseMac, baseMac.length));
        b.put(StoreFile.sha256(b.array(), CHECKED));
        return b.array();
    }

    /** Checks the header's layout and checksum and splits the frames; no key is needed. */
    static Frames parse(byte[] raw) throws StoreFile.Damage {
        if (raw.length < HEADER_BYTES) throw new StoreFile.Damage("its journal is shorter than a journal header");
        if (!Arrays.equals(raw, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) throw new StoreFile.Damage("its journal does not start with " + "keyring4j-journal/1");
        if (!MessageDigest.isEqual(StoreFile.sha256(raw, CHECKED), Arrays.copyOfRange(raw, CHECKED, HEADER_BYTES))) {
            throw new StoreFile.Damage("its journal header's SHA-256 does not match");
        }
        long baseGeneration = ByteBuffer.wrap(raw, MAGIC.length + Header.FILE_ID_BYTES, 8).getLong();
        int n = 0;
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int at = HEADER_BYTES;
        while (raw.length - at >= FRAME) {
            ByteBuffer f = ByteBuffer.wrap(raw, at, FRAME);
            int len = f.getInt();
            int check = f.getInt();
            if (check != ~len) throw new StoreFile.Damage("journal record " + (n + 1) + " has a malformed frame");
            if (len < MIN_RECORD || len > PrivateFiles.MAX_STORE_BYTES) throw new StoreFile.Damage("journal record " + (n + 1) + " has an impossible length");
            if (len > raw.length - at - FRAME) break; // torn tail: a complete frame whose record runs past the end
            if (n == offsets.length) {
                offsets = Arrays.copyOf(offsets, n * 2);
                lengths = Arrays.copyOf(lengths, n * 2);
            }
            offsets[n] = at + FRAME;
            lengths[n] = len;
            n++;
            at += FRAME + len;
        }
        return new Frames(Arrays.copyOf(raw, HEADER_BYTES), baseGeneration, n, offsets, lengths, at);
    }

    // ------------------------------------------------------------------ records

    private static byte[] associatedData(byte[] fileId, long baseGeneration, long seq, byte[] previous) {
        return ByteBuffer.allocate(AD_DOMAIN.length + fileId.length + 16 + previous.length)
                .put(AD_DOMAIN).put(fileId).putLong(baseGeneration).putLong(seq).put(previous).array();
    }

    /** The framed record {@code seq} of a journal; {@link #chain} of its ciphertext links the next one. */
    static byte[] seal(Keys keys, byte[] fileId, long baseGeneration, long seq, byte[] previous, Edit e) {
        int ctLen = e.ciphertext() == null ? 0 : e.ciphertext().length;
        ByteBuffer p = ByteBuffer.allocate(1 + Keys.ID_BYTES + ctLen);
        p.put(e.ciphertext() == null ? DELETE : PUT).put(e.entryId());
        if (e.ciphertext() != null) p.put(e.ciphertext());
        byte[] ct = keys.encryptRecord(p.array(), associatedData(fileId, baseGeneration, seq, previous));
        return ByteBuffer.allocate(FRAME + ct.length).putInt(ct.length).putInt(~ct.length).put(ct).array();
    }

    /** Opens record {@code seq} ({@code raw[off, off+len)}); any mismatch is a GeneralSecurityException. */
    static Edit open(Keys keys, byte[] fileId, long baseGeneration, long seq, byte[] previous, byte[] raw, int off, int len)
            throws GeneralSecurityException {
        byte[] p = keys.decryptRecord(Arrays.copyOfRange(raw, off, off + len), associatedData(fileId, baseGeneration, seq, previous));
        // the payload holds only ids and entry ciphertexts (secrets stay encrypted inside), nothing to wipe
        if (p.length < 1 + Keys.ID_BYTES) throw new GeneralSecurityException("journal record too short");
        byte[] id = Arrays.copyOfRange(p, 1, 1 + Keys.ID_BYTES);
        if (p[0] == DELETE && p.length == 1 + Keys.ID_BYTES) return new Edit(id, null);
        if (p[0] == PUT && p.length > 1 + Keys.ID_BYTES) return new Edit(id, Arrays.copyOfRange(p, 1 + Keys.ID_BYTES, p.length));
        throw new GeneralSecurityException("unknown journal record");
    }

    /** The link to the record after the one whose ciphertext is {@code raw[off, off+len)}. */
    static byte[] chain(byte[] raw, int off, int len) {
        return StoreFile.sha256(raw, off, len);
    }
}
