package dev.keyring4j.keyset;

import java.util.Arrays;

/**
 * The header of a store's keyset (the encrypted file's header; etcd's keyset record): its random id and how its keyset is protected. Only the fields of
 * the protection's kind are set; the others are null.
 *
 * @param fileId      16 random bytes, chosen when the file is created
 * @param kind        the protection
 * @param check       the KEK check value ({@link Kek#check()})
 * @param argon2      passphrase: the Argon2id parameters
 * @param salt        passphrase: the Argon2id salt
 * @param sealed      systemd-creds: the output of {@code systemd-creds encrypt} (base64 text, newlines removed)
 * @param version     the file format version the header was read from or is written as
 *                    ({@code keyring4j-file/<version>}); it is part of the canonical header
 */
public record Header(byte[] fileId, ProtectionKind kind, byte[] check, Argon2Params argon2, byte[] salt, String sealed, int version) {

    /** The length of a file id. */
    public static final int FILE_ID_BYTES = 16;
    /** The format version a new header is written as ({@code keyring4j-file/4}; etcd's keyset record does not record it). */
    public static final int CURRENT_VERSION = 4;

    /** A header of the current format version. */
    public Header(byte[] fileId, ProtectionKind kind, byte[] check, Argon2Params argon2, byte[] salt, String sealed) {
        this(fileId, kind, check, argon2, salt, sealed, CURRENT_VERSION);
    }

    public Header withCheck(byte[] newCheck) {
        return new Header(fileId, kind, newCheck, argon2, salt, sealed, version);
    }

    /** The same header in the current format version (what the next write of an older file writes). */
    public Header current() {
        return new Header(fileId, kind, check, argon2, salt, sealed, CURRENT_VERSION);
    }

    /** The systemd credential name: binds the sealed secret to this file. */
    public String credentialName() {
        return "keyring4j-" + java.util.HexFormat.of().formatHex(fileId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && Arrays.equals(fileId, h.fileId) && kind == h.kind && Arrays.equals(check, h.check)
                && java.util.Objects.equals(argon2, h.argon2) && Arrays.equals(salt, h.salt) && java.util.Objects.equals(sealed, h.sealed)
                && version == h.version;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fileId);
    }

    @Override
    public String toString() {
        return "Header[" + kind.id() + "]";
    }
}
