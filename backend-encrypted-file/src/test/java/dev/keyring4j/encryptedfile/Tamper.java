package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** What an attacker who edits the file can do: recompute the plain checksum, and (given the keys) even the MAC. */
final class Tamper {
    private Tamper() {
    }

    static final int TRAILER = ",\"mac\":\"".length() + 74 + "\",\"sha256\":\"".length() + 64 + "\"}\n".length();

    /** The bytes the MAC covers (everything before {@code ,"mac":}). */
    static byte[] body(byte[] file) {
        return Arrays.copyOf(file, file.length - TRAILER);
    }

    /** The file with its sha256 recomputed over its (modified) content, keeping its mac. */
    static byte[] rechecksum(byte[] file) {
        int shaStart = file.length - 3 - 64;
        int upTo = shaStart - "\",\"sha256\":\"".length() + 1;
        byte[] out = file.clone();
        byte[] hex = StoreFile.hex(StoreFile.sha256(file, upTo)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, out, shaStart, 64);
        return out;
    }

    /** A complete file for {@code body}, with a MAC under {@code keys} and a fresh checksum. */
    static byte[] reseal(byte[] body, Keys keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(body);
        out.writeBytes(",\"mac\":\"".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(StoreFile.hex(keys.fileMac(StoreFile.macInput(body))).getBytes(StandardCharsets.US_ASCII));
        out.write('"');
        byte[] upTo = out.toByteArray();
        out.writeBytes(",\"sha256\":\"".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(StoreFile.hex(StoreFile.sha256(upTo, upTo.length)).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("\"}\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The keys of a keyfile-protected store (what only the owner has). */
    static Keys keysOf(byte[] file, Path keyfile) throws Exception {
        StoreFile.Parsed p = StoreFile.parse(file);
        byte[] master = java.nio.file.Files.readAllBytes(keyfile);
        Kek kek = Kek.derive(master, p.header().fileId());
        return kek.open(p.keyset(), p.headerBytes());
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
