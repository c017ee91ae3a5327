package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.Header;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Writes a store file as keyring4j-file/1 (what versions before the generation counter wrote), with the owner's keys. */
final class V1 {
    private V1() {
    }

    /** Rewrites the keyfile store {@code file} as version 1 and moves its key file from {@code keyfile} to {@code legacy}. */
    static void downgrade(Path file, Path keyfile, Path legacy) throws Exception {
        byte[] raw = Files.readAllBytes(file);
        StoreFile.Parsed p = StoreFile.parse(raw);
        Keys keys = Tamper.keysOf(raw, keyfile);
        Header h = p.header();
        Header h1 = new Header(h.fileId(), h.kind(), h.check(), h.argon2(), h.salt(), h.sealed(), 1);
        byte[] hb1 = StoreFile.headerBytes(h1);
        Kek kek = Kek.derive(Files.readAllBytes(keyfile), h.fileId());
        String text = new String(p.body(), StandardCharsets.US_ASCII);
        String entries = text.substring(text.indexOf(",\"entries\":"));
        String body = new String(hb1, 0, hb1.length - 1, StandardCharsets.US_ASCII)
                + ",\"keyset\":\"" + Base64.getEncoder().encodeToString(kek.seal(keys, hb1)) + "\"" + entries;
        Files.write(file, Tamper.reseal(body.getBytes(StandardCharsets.US_ASCII), keys));
        Files.move(keyfile, legacy);
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".journal")); // version 1 had no journal
    }

    /**
     * Rewrites the keyfile store {@code file} (compacted: no journal records) as keyring4j-file/2,
     * what versions before the journal wrote: the same layout under the version 2 header.
     */
    static void toVersion2(Path file, Path keyfile) throws Exception {
        byte[] raw = Files.readAllBytes(file);
        StoreFile.Parsed p = StoreFile.parse(raw);
        Keys keys = Tamper.keysOf(raw, keyfile);
        Header h = p.header();
        byte[] hb2 = StoreFile.headerBytes(new Header(h.fileId(), h.kind(), h.check(), h.argon2(), h.salt(), h.sealed(), 2));
        Kek kek = Kek.derive(Files.readAllBytes(keyfile), h.fileId());
        String text = new String(p.body(), StandardCharsets.US_ASCII);
        String entries = text.substring(text.indexOf(",\"entries\":"));
        String body = new String(hb2, 0, hb2.length - 1, StandardCharsets.US_ASCII) + ",\"generation\":" + p.generation()
                + ",\"keyset\":\"" + Base64.getEncoder().encodeToString(kek.seal(keys, hb2)) + "\"" + entries;
        Files.write(file, Tamper.reseal(body.getBytes(StandardCharsets.US_ASCII), keys));
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".journal")); // version 2 had no journal
    }
}
