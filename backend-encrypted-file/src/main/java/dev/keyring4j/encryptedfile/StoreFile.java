package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.Argon2Params;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.Header;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * The file format {@code keyring4j-file/4} (the base of a store; the writes since it was written
 * are in its {@link Journal}): one line of JSON, written canonically (fixed key order,
 * no whitespace), ending in a fixed-size trailer:
 *
 * <pre>
 * {"format":"keyring4j-file/4","fileId":HEX,"protection":{…},"generation":N,"keyset":B64,"entries":[{"id":B64URL,"data":B64},…],"mac":HEX74,"sha256":HEX64}\n
 * </pre>
 *
 * <ul>
 * <li>{@code generation} counts the writes of this file (1 for the first); it is covered by the
 *     MAC and compared with the generation remembered outside the file, so an older copy put back
 *     is recognised ({@link GenerationRecord});</li>
 * <li>{@code mac} is a Tink HMAC-SHA256 (key from the keyset) of {@code "keyring4j-file/4 SHA-256
 *     of the body\n"} and the SHA-256 of the body, the exact bytes before {@code ,"mac":}: every
 *     header field, the generation, the keyset, every entry and their order (versions 1 to 3: of
 *     the body itself);</li>
 * <li>{@code sha256} is a plain SHA-256 over the exact bytes before {@code ,"sha256":}. It needs
 *     no key, so damage is recognised before any key is derived, which is what lets a wrong
 *     passphrase (intact file, failing check value) be told apart from a damaged file.</li>
 * </ul>
 * Since the body's SHA-256 continues to the checksum, reading or writing a file hashes it once, not
 * twice. Version 3 has the layout of version 4 with the MAC over the whole body; version 2 is
 * version 3 before the journal (its number tells a version that knows no journal to refuse a file
 * whose journal may hold later writes). Files of versions 3, 2 and 1 ({@code keyring4j-file/1}: no
 * {@code generation}, read as generation 0) are still read; every rewrite writes version 4. This
 * class checks layout, checksum and syntax; the keyed checks happen once the keyset is open.
 */
final class StoreFile {
    /** The version every write writes. */
    static final int VERSION = Header.CURRENT_VERSION;
    static final String FORMAT_PREFIX = "keyring4j-file/";
    static final String FORMAT = FORMAT_PREFIX + VERSION;
    private static final String FORMAT_V1 = FORMAT_PREFIX + 1;
    private static final String FORMAT_V2 = FORMAT_PREFIX + 2;
    private static final String FORMAT_V3 = FORMAT_PREFIX + 3;
    /** What version 4's MAC covers besides the body's SHA-256: names the input, so no other use of the MAC key can produce it. */
    private static final byte[] MAC_DOMAIN = ascii("keyring4j-file/4 SHA-256 of the body\n");
    private static final int MAC_HEX = 74; // Tink HMAC-SHA256: 5-byte prefix + 32-byte tag
    private static final byte[] MAC_OPEN = ascii(",\"mac\":\"");
    private static final byte[] SHA_OPEN = ascii("\",\"sha256\":\"");
    private static final byte[] END = ascii("\"}\n");
    private static final int TAIL = MAC_OPEN.length + MAC_HEX + SHA_OPEN.length + 64 + END.length;

    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = new ObjectMapper(FACTORY);

    private StoreFile() {
    }

    /** Damage or tampering found by a check; the message says which check. */
    static final class Damage extends Exception {
        Damage(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * An entry as it stands in the file, not yet decrypted (nor base64-decoded: {@link #ciphertext}
     * does that, and refuses a non-canonical spelling).
     */
    record RawEntry(String id, String ciphertextText) {
        byte[] ciphertext() throws Damage {
            return base64(ciphertextText, "entry data");
        }
    }

    /**
     * A file that passed the checksum and the syntax checks.
     *
     * @param headerBytes the canonical header (associated data of the keyset)
     * @param generation  the write counter (0 for a version 1 file, which has none)
     * @param macInput    what the MAC covers: {@link #MAC_DOMAIN} and the body's SHA-256 (version 4), the body itself (versions 1 to 3)
     * @param raw         the whole file
     * @param bodyEnd     where the body ends in {@code raw} (where {@code ,"mac":} starts)
     */
    record Parsed(Header header, byte[] headerBytes, long generation, byte[] keyset, List<RawEntry> entries, byte[] macInput, byte[] mac,
            byte[] raw, int bodyEnd) {
        /** The bytes before {@code ,"mac":} (a copy). */
        byte[] body() {
            return Arrays.copyOf(raw, bodyEnd);
        }
    }

    // ------------------------------------------------------------------ writing

    /** The canonical header: {@code {"format":…,"fileId":…,"protection":{…}}}. */
    static byte[] headerBytes(Header h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT_PREFIX + h.version());
            g.writeStringField("fileId", hex(h.fileId()));
            g.writeObjectFieldStart("protection");
            g.writeStringField("kind", h.kind().id());
            switch (h.kind()) {
                case PASSPHRASE -> {
                    g.writeStringField("kdf", "argon2id");
                    g.writeNumberField("version", 19);
                    g.writeNumberField("memoryKib", h.argon2().memoryKib());
                    g.writeNumberField("iterations", h.argon2().iterations());
                    g.writeNumberField("parallelism", h.argon2().parallelism());
                    g.writeStringField("salt", Base64.getEncoder().encodeToString(h.salt()));
                }
                case SYSTEMD_CREDS -> {
                    g.writeStringField("credential", h.credentialName());
                    g.writeStringField("sealed", h.sealed());
                }
                case KEYFILE -> {
                }
            }
            g.writeStringField("check", hex(h.check()));
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The whole file, in the current version; {@code headerBytes} must be a header of that version. */
    static byte[] write(byte[] headerBytes, long generation, byte[] keyset, Collection<Entry> entries, Keys keys) {
        if (!endsWithAt(headerBytes, 0, ascii("{\"format\":\"" + FORMAT + "\","))) throw new IllegalStateException("not a " + FORMAT + " header");
        if (generation < 1) throw new IllegalStateException("generation " + generation);
        // everything in the body is ASCII: the header (hex, base64, fixed names) and base64 values
        int estimate = headerBytes.length + keyset.length * 2 + 64;
        for (Entry e : entries) estimate += e.id.length() + e.ciphertextText.length() + 20;
        StringBuilder b = new StringBuilder(estimate);
        b.append(new String(headerBytes, 0, headerBytes.length - 1, StandardCharsets.US_ASCII));
        b.append(generationField(generation));
        b.append(",\"keyset\":\"").append(Base64.getEncoder().encodeToString(keyset)).append("\",\"entries\":[");
        boolean first = true;
        for (Entry e : entries) {
            b.append(first ? "{\"id\":\"" : ",{\"id\":\"").append(e.id).append("\",\"data\":\"").append(e.ciphertextText).append("\"}");
            first = false;
        }
        b.append(']');
        byte[] body = b.toString().getBytes(StandardCharsets.US_ASCII);
        // one pass over the body: its SHA-256 (what the MAC covers) and, continued, the file's checksum
        MessageDigest sha = digest();
        sha.update(body);
        byte[] mac = keys.fileMac(versionFourMacInput(finishedCopy(sha, body, body.length)));
        byte[] macField = ascii(",\"mac\":\"" + hex(mac) + "\"");
        // sha256 covers everything before ,"sha256": (up to and including the mac's closing quote)
        sha.update(macField);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + TAIL);
        out.writeBytes(body);
        out.writeBytes(macField);
        out.write(SHA_OPEN, 1, SHA_OPEN.length - 1);
        out.writeBytes(ascii(hex(sha.digest())));
        out.writeBytes(END);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ reading

    /** Checks layout, checksum and syntax; returns what the keyed checks need. */
    static Parsed parse(byte[] raw) throws Damage {
        int n = raw.length;
        if (n == 0) throw new Damage("the file is empty");
        if (n < TAIL + 2 || raw[0] != '{') throw new Damage("it is not a keyring4j store file, or it is truncated");
        if (!endsWithAt(raw, n - END.length, END)) throw new Damage("it is truncated or has bytes after its end");
        int shaStart = n - END.length - 64;
        int shaOpen = shaStart - SHA_OPEN.length;
        int macStart = shaOpen - MAC_HEX;
        int macOpen = macStart - MAC_OPEN.length;
        if (!endsWithAt(raw, shaOpen, SHA_OPEN) || !endsWithAt(raw, macOpen, MAC_OPEN)) {
            throw new Damage("its trailer (mac, sha256) is malformed: truncated or modified");
        }
        byte[] storedSha = unhex(raw, shaStart, 64);
        // one pass: the body's SHA-256 (version 4's MAC input), continued over the mac to the file's checksum
        MessageDigest sha = digest();
        sha.update(raw, 0, macOpen);
        byte[] bodySha = finishedCopy(sha, raw, macOpen);
        sha.update(raw, macOpen, shaOpen + 1 - macOpen);
        if (storedSha == null || !MessageDigest.isEqual(storedSha, sha.digest())) {
            throw new Damage("its SHA-256 checksum does not match: bytes were changed, lost or added");
        }
        byte[] mac = unhex(raw, macStart, MAC_HEX);
        if (mac == null) throw new Damage("its mac is malformed");
        int bodyEnd = macOpen;

        // Everything before the entries is parsed as JSON (and must be canonical); the entries,
        // nearly all of the file, are scanned as the one canonical spelling the writer produces.
        int entriesAt = indexOf(raw, bodyEnd, ENTRIES_OPEN);
        if (entriesAt < 0) throw new Damage("its entries are missing");
        JsonNode root;
        try {
            byte[] json = Arrays.copyOf(raw, entriesAt + 1);
            json[entriesAt] = '}';
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new Damage("its JSON is malformed");
        }
        if (root == null || !root.isObject()) throw new Damage("it is not a JSON object");
        String format = text(root, "format");
        int version;
        if (FORMAT.equals(format) || FORMAT_V3.equals(format) || FORMAT_V2.equals(format)) {
            version = Integer.parseInt(format.substring(FORMAT_PREFIX.length()));
            expectFields(root, "", "format", "fileId", "protection", "generation", "keyset");
        } else if (FORMAT_V1.equals(format)) {
            version = 1;
            expectFields(root, "", "format", "fileId", "protection", "keyset");
        } else if (format.startsWith(FORMAT_PREFIX)) {
            throw new Damage("its format " + format + " is not supported by this version (" + FORMAT_V1 + " to " + FORMAT + ")");
        } else {
            throw new Damage("its format is not " + FORMAT);
        }
        byte[] fileId = unhexText(text(root, "fileId"), Header.FILE_ID_BYTES * 2, "fileId");
        Header header = parseProtection(root.get("protection"), fileId, version);
        byte[] headerBytes = headerBytes(header);
        byte[] canonicalStart = Arrays.copyOf(headerBytes, headerBytes.length - 1);
        if (!endsWithAt(raw, 0, canonicalStart)) {
            throw new Damage("its header is not in canonical form");
        }
        long generation = 0;
        String generationText = "";
        if (version >= 2) {
            JsonNode g = root.get("generation");
            if (!g.isIntegralNumber() || !g.canConvertToLong() || g.longValue() < 1) throw new Damage("generation is not a positive integer");
            generation = g.longValue();
            generationText = generationField(generation);
        }
        String keysetText = text(root, "keyset");
        byte[] keyset = base64(keysetText, "keyset");
        // the whole prefix, byte for byte as the writer spells it: so the entries start exactly at entriesAt
        if (!endsWithAt(raw, canonicalStart.length, ascii(generationText + ",\"keyset\":\"" + keysetText + "\""))
                || canonicalStart.length + generationText.length() + 11 + keysetText.length() + 1 != entriesAt) {
            throw new Damage("its generation or keyset is not in canonical form");
        }
        List<RawEntry> entries = entries(raw, bodyEnd, entriesAt + ENTRIES_OPEN.length);
        byte[] macInput = version >= 4 ? versionFourMacInput(bodySha) : Arrays.copyOf(raw, bodyEnd);
        return new Parsed(header, headerBytes, generation, keyset, entries, macInput, mac, raw, bodyEnd);
    }

    private static final byte[] ENTRIES_OPEN = ascii(",\"entries\":[");
    private static final byte[] ENTRY_ID = ascii("{\"id\":\"");
    private static final byte[] ENTRY_DATA = ascii("\",\"data\":\"");
    private static final int ID_CHARS = 43; // 32 bytes, base64url without padding
    /**
     * The entries array from {@code at} to the end of {@code body}, in the only spelling the writer
     * produces: {@code {"id":"<43 characters>","data":"<base64>"}} separated by commas, then
     * {@code ]}. Any other structure is damage. The id's and data's characters are checked when
     * the entry is first used (strict base64 decoding); by then the checksum and the MAC have
     * authenticated every byte, so this only defers the refusal of what a holder of the keys wrote.
     */
    private static List<RawEntry> entries(byte[] body, int bodyEnd, int at) throws Damage {
        List<RawEntry> out = new ArrayList<>(Math.max(16, (bodyEnd - at) / 200)); // about 220 bytes an entry
        int end = bodyEnd - 1;
        if (end < at || body[end] != ']') throw new Damage("entries is not an array of entries");
        // each id and data read straight from the file's bytes into its own string (no string of the whole array)
        int i = at;
        while (i < end) {
            if (!out.isEmpty()) {
                if (body[i] != ',') throw new Damage("an entry is not an object of id and data");
                i++;
            }
            int idStart = i + ENTRY_ID.length;
            int idEnd = idStart + ID_CHARS;
            int dataStart = idEnd + ENTRY_DATA.length;
            if (dataStart > end || !endsWithAt(body, i, ENTRY_ID) || !endsWithAt(body, idEnd, ENTRY_DATA)) {
                throw new Damage("an entry is not an object of id and data");
            }
            int close = dataStart;
            while (close < end && body[close] != '"') close++; // base64 has no quote: one compare a byte, predicted
            if (close == dataStart || close + 1 >= end || body[close + 1] != '}') throw new Damage("an entry's data is malformed");
            out.add(new RawEntry(new String(body, idStart, ID_CHARS, StandardCharsets.ISO_8859_1),
                    new String(body, dataStart, close - dataStart, StandardCharsets.ISO_8859_1)));
            i = close + 2;
        }
        return out;
    }

    private static int indexOf(byte[] b, int end, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= end; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** The MAC of a file {@link #write} wrote (what its journal's header names). */
    static byte[] macOf(byte[] file) {
        int macStart = file.length - END.length - 64 - SHA_OPEN.length - MAC_HEX;
        return unhex(file, macStart, MAC_HEX);
    }

    private static String generationField(long generation) {
        return ",\"generation\":" + generation;
    }

    private static Header parseProtection(JsonNode p, byte[] fileId, int version) throws Damage {
        if (p == null || !p.isObject()) throw new Damage("protection is not an object");
        ProtectionKind kind = ProtectionKind.parse(text(p, "kind"));
        if (kind == null || !kind.id().equals(text(p, "kind"))) throw new Damage("protection kind is unknown");
        switch (kind) {
            case PASSPHRASE -> {
                expectFields(p, "protection ", "kind", "kdf", "version", "memoryKib", "iterations", "parallelism", "salt", "check");
                if (!"argon2id".equals(text(p, "kdf")) || integer(p, "version") != 19) throw new Damage("the KDF is not Argon2id v1.3");
                Argon2Params a = new Argon2Params(integer(p, "memoryKib"), integer(p, "iterations"), integer(p, "parallelism"));
                String weak = a.weakness();
                if (weak != null) throw new Damage("its KDF parameters are refused (" + weak + ")");
                byte[] salt = base64(text(p, "salt"), "salt");
                if (salt.length < 16 || salt.length > 64) throw new Damage("the salt length is out of range");
                return new Header(fileId, kind, check(p), a, salt, null, version);
            }
            case SYSTEMD_CREDS -> {
                expectFields(p, "protection ", "kind", "credential", "sealed", "check");
                String sealed = text(p, "sealed");
                if (sealed.isEmpty() || sealed.length() > 64 * 1024 || !sealed.chars().allMatch(StoreFile::isBase64Char)) {
                    throw new Damage("the sealed key is malformed");
                }
                Header h = new Header(fileId, kind, check(p), null, null, sealed, version);
                if (!h.credentialName().equals(text(p, "credential"))) throw new Damage("the credential name does not match the file id");
                return h;
            }
            default -> {
                expectFields(p, "protection ", "kind", "check");
                return new Header(fileId, kind, check(p), null, null, null, version);
            }
        }
    }

    private static byte[] check(JsonNode p) throws Damage {
        return unhexText(text(p, "check"), 64, "check");
    }

    private static void expectFields(JsonNode o, String what, String... names) throws Damage {
        Iterator<String> it = o.fieldNames();
        for (String name : names) {
            if (!it.hasNext() || !it.next().equals(name)) throw new Damage(what + "fields are not " + String.join(", ", names));
        }
        if (it.hasNext()) throw new Damage(what + "has unexpected fields");
    }

    private static String text(JsonNode o, String field) throws Damage {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new Damage(field + " is missing or not a string");
        return v.textValue();
    }

    private static int integer(JsonNode o, String field) throws Damage {
        JsonNode v = o.get(field);
        if (v == null || !v.isInt()) throw new Damage(field + " is missing or not an integer");
        return v.intValue();
    }

    private static byte[] base64(String s, String what) throws Damage {
        try {
            byte[] b = Base64.getDecoder().decode(s);
            if (!Base64.getEncoder().encodeToString(b).equals(s)) throw new Damage(what + " is not canonical base64");
            return b;
        } catch (IllegalArgumentException e) {
            throw new Damage(what + " is not base64");
        }
    }

    private static boolean isBase64Char(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    }

    // ------------------------------------------------------------------ bytes

    /**
     * What a version 4 file's MAC covers: {@link #MAC_DOMAIN} and the SHA-256 of the body. The MAC
     * of a 32-byte digest instead of the 2 MB body is what lets an open hash the file once (the
     * digest continues to the file's checksum) instead of twice; forging it takes a SHA-256 collision.
     */
    static byte[] versionFourMacInput(byte[] bodySha) {
        byte[] in = Arrays.copyOf(MAC_DOMAIN, MAC_DOMAIN.length + bodySha.length);
        System.arraycopy(bodySha, 0, in, MAC_DOMAIN.length, bodySha.length);
        return in;
    }

    /** What the MAC of a file with this body covers, by the version its format field names. */
    static byte[] macInput(byte[] body) {
        if (!endsWithAt(body, 0, ascii("{\"format\":\"" + FORMAT + "\""))) return body.clone();
        return versionFourMacInput(sha256(body, body.length));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The digest of what {@code d} has seen so far, {@code data[0, len)}; {@code d} itself goes on.
     * A provider whose digest cannot be cloned (some FIPS or PKCS#11 ones) hashes {@code data} again.
     */
    private static byte[] finishedCopy(MessageDigest d, byte[] data, int len) {
        try {
            return ((MessageDigest) d.clone()).digest();
        } catch (CloneNotSupportedException e) {
            return sha256(data, len);
        }
    }

    static byte[] sha256(byte[] b, int len) {
        return sha256(b, 0, len);
    }

    /** The SHA-256 of {@code b[off, off+len)}. */
    static byte[] sha256(byte[] b, int off, int len) {
        MessageDigest d = digest();
        d.update(b, off, len);
        return d.digest();
    }

    private static boolean endsWithAt(byte[] b, int at, byte[] expected) {
        if (at < 0 || at + expected.length > b.length) return false;
        for (int i = 0; i < expected.length; i++) {
            if (b[at + i] != expected[i]) return false;
        }
        return true;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex(byte[] b) {
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[b[i] & 0xf];
        }
        return new String(out);
    }

    /** Lowercase hex only (so no two spellings of one value exist); null when malformed. */
    private static byte[] unhex(byte[] b, int off, int len) {
        if (len % 2 != 0) return null;
        byte[] out = new byte[len / 2];
        for (int i = 0; i < len; i += 2) {
            int hi = nibble(b[off + i]);
            int lo = nibble(b[off + i + 1]);
            if (hi < 0 || lo < 0) return null;
            out[i / 2] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static byte[] unhexText(String s, int len, String what) throws Damage {
        byte[] b = s.length() == len ? unhex(s.getBytes(StandardCharsets.US_ASCII), 0, len) : null;
        if (b == null || !s.chars().allMatch(c -> c < 128)) throw new Damage(what + " is not " + len + " lowercase hex digits");
        return b;
    }

    private static int nibble(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

}
