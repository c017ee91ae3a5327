package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.Header;

import java.util.TreeMap;

/**
 * One verified state of the store, as last read or written: the base file and the journal records
 * applied to it, with the KEK that seals its keyset. {@code generation} counts every write (the
 * base's generation plus its journal records; 0 for a store not yet written, or a version 1
 * file). {@code journal} is where the state stands in its journal (null for a state not yet
 * written). {@code entries} is never changed once a snapshot is made, with one exception: the
 * append path of {@link VerifiedFile} updates the map of the snapshot it then replaces, which no
 * caller holds across calls.
 */
record Snapshot(Header header, byte[] headerBytes, long generation, byte[] keyset, Keys keys, Kek kek, TreeMap<String, Entry> entries,
        Journal.Position journal) {

    Snapshot(Header header, byte[] headerBytes, long generation, byte[] keyset, Keys keys, Kek kek, TreeMap<String, Entry> entries) {
        this(header, headerBytes, generation, keyset, keys, kek, entries, null);
    }

    Snapshot withEntries(TreeMap<String, Entry> e) {
        return new Snapshot(header, headerBytes, generation, keyset, keys, kek, e, null);
    }

    /** This state as written with {@code g} as its generation and {@code j} as its journal position. */
    Snapshot at(long g, TreeMap<String, Entry> e, Journal.Position j) {
        return new Snapshot(header, headerBytes, g, keyset, keys, kek, e, j);
    }

    /** The generation of the base file (the journal's records not counted). */
    long baseGeneration() {
        return journal == null ? generation : generation - journal.records();
    }
}
