package dev.keyring4j.encryptedfile;

import java.util.TreeMap;

/**
 * One verified state of the store file, as last read or written, with the KEK that seals its
 * keyset. {@code generation} is that of the file (0 for a store not yet written, or a version 1
 * file). Nobody changes {@code entries} once a snapshot is made: an edit copies them.
 */
record Snapshot(Header header, byte[] headerBytes, long generation, byte[] keyset, Keys keys, Kek kek, TreeMap<String, Entry> entries) {

    Snapshot withEntries(TreeMap<String, Entry> e) {
        return new Snapshot(header, headerBytes, generation, keyset, keys, kek, e);
    }

    /** This state as written with {@code g} as its generation. */
    Snapshot atGeneration(long g) {
        return new Snapshot(header, headerBytes, g, keyset, keys, kek, entries);
    }
}
