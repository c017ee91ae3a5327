package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.Header;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Fuzzes the encrypted store file reader (docs/fuzzing.md). Each input is read four ways:
 * <ol>
 * <li>as a store file, {@link StoreFile#parse}: only {@link StoreFile.Damage};</li>
 * <li>as a store file whose SHA-256 trailer is made to match (recomputed, or appended with a zero
 *     mac), so that mutations get past the checksum into the JSON, header and entry checks: only
 *     Damage, and a file that parses has a canonical header and canonical base64 entries;</li>
 * <li>as the keyset container inside the file, {@link Keys#parse}: only GeneralSecurityException;</li>
 * <li>as the decrypted payload of an entry, sealed under real keys and opened by {@link Entry#open}:
 *     only GeneralSecurityException;</li>
 * <li>as a journal, {@link Journal#parse}: only Damage, raw and with its header checksum made to
 *     match (so mutations reach the record frames); the frames found lie inside the input, in order;
 *     and as a journal record's ciphertext, {@link Journal#open}: only GeneralSecurityException.</li>
 * </ol>
 * Seeds ({@code StoreFileFuzzTestInputs/storeFile/}) are real files written by the store: keyfile and
 * passphrase stores of format 2, a format 1 file, a store without entries, a keyset container, a payload
 * and a journal of three records.
 */
class StoreFileFuzzTest {
    private static final Keys KEYS = Keys.generate();
    private static final byte[] FILE_ID = new byte[Header.FILE_ID_BYTES];

    @FuzzTest(maxDuration = "30s")
    void storeFile(byte[] input) {
        parse(input);
        StoreFile.Parsed p = parse(input.length >= Tamper.TRAILER ? Tamper.rechecksum(input) : withTrailer(input));
        if (p != null) {
            assertArrayEquals(StoreFile.headerBytes(p.header()), p.headerBytes(), "the header read is the canonical one");
            for (StoreFile.RawEntry e : p.entries()) {
                try {
                    assertEquals(Base64.getEncoder().encodeToString(e.ciphertext()), e.ciphertextText(), "entry data is canonical base64");
                } catch (StoreFile.Damage expected) {
                    // documented: entry data is decoded (strictly) when the entry is first used
                }
                try {
                    Entry.decodeId(e.id());
                } catch (GeneralSecurityException expected) {
                    // documented: a malformed id is tampering, found when the entry is opened
                }
            }
        }
        try {
            Keys.parse(input);
        } catch (GeneralSecurityException expected) {
            // documented: not a keyset container
        }
        byte[] id = KEYS.entryId("svc".getBytes(StandardCharsets.UTF_8), "acct".getBytes(StandardCharsets.UTF_8));
        byte[] ct = KEYS.encryptEntry(input, FILE_ID, id);
        try {
            Entry.open(KEYS, FILE_ID, Entry.idText(id), ct, Base64.getEncoder().encodeToString(ct));
        } catch (GeneralSecurityException expected) {
            // documented: a payload that is not what seal() writes for these names
        }
        journal(input);
    }

    private static void journal(byte[] input) {
        journalFrames(input);
        if (input.length >= Journal.HEADER_BYTES) {
            // the same bytes under a valid header, so that mutations get past its checksum into the frames
            byte[] h = Journal.header(java.util.Arrays.copyOfRange(input, 20, 36), 1, new byte[37]);
            byte[] withHeader = input.clone();
            System.arraycopy(h, 0, withHeader, 0, h.length);
            Journal.Frames f = journalFrames(withHeader);
            if (f != null) {
                int end = Journal.HEADER_BYTES;
                for (int i = 0; i < f.count(); i++) {
                    assertEquals(end + 8, f.offsets()[i], "frames are contiguous");
                    end = f.offsets()[i] + f.lengths()[i];
                }
                assertEquals(end, f.validLength());
                if (end > withHeader.length) throw new AssertionError("a frame past the end");
            }
        }
        try {
            Journal.open(KEYS, FILE_ID, 1, 1, new byte[32], input, 0, input.length);
        } catch (GeneralSecurityException expected) {
            // documented: not a record of this journal
        }
    }

    private static Journal.Frames journalFrames(byte[] raw) {
        try {
            return Journal.parse(raw);
        } catch (StoreFile.Damage expected) {
            return null; // documented: damage or tampering, with the check that found it
        }
    }

    private static StoreFile.Parsed parse(byte[] raw) {
        try {
            return StoreFile.parse(raw);
        } catch (StoreFile.Damage expected) {
            return null; // documented: damage or tampering, with the check that found it
        }
    }

    /** {@code body} as a file: a zero mac and a matching SHA-256 appended. */
    private static byte[] withTrailer(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(body);
        out.writeBytes((",\"mac\":\"" + "0".repeat(74) + "\"").getBytes(StandardCharsets.US_ASCII));
        byte[] upTo = out.toByteArray();
        out.writeBytes((",\"sha256\":\"" + StoreFile.hex(StoreFile.sha256(upTo, upTo.length)) + "\"}\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
