package dev.keyring4j.etcd;

import dev.keyring4j.keyset.Argon2Params;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.ProtectionKind;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The value of {@code <prefix>keyset}: the protection header (file id, kind, KEK check value,
 * Argon2id parameters and salt, or the systemd-creds sealed key) followed by the Tink keysets
 * sealed under the KEK with the header bytes as associated data. Nothing in it is secret without
 * what the protection holds (the key file, the passphrase, the host's sealing key).
 */
record KeysetRecord(Header header, byte[] headerBytes, byte[] sealedKeys) {
    private static final String MAGIC = "keyring4j-etcd-keyset/1";

    static KeysetRecord of(Header h, byte[] sealedKeys) {
        return new KeysetRecord(h, headerBytes(h), sealedKeys);
    }

    static byte[] headerBytes(Header h) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(b);
            o.writeUTF(MAGIC);
            o.writeUTF(h.kind().id());
            bytes(o, h.fileId());
            bytes(o, h.check());
            Argon2Params a = h.argon2();
            o.writeInt(a == null ? -1 : a.memoryKib());
            o.writeInt(a == null ? -1 : a.iterations());
            o.writeInt(a == null ? -1 : a.parallelism());
            bytes(o, h.salt());
            o.writeUTF(h.sealed() == null ? "" : h.sealed());
            o.flush();
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] encode() {
        byte[] out = Arrays.copyOf(headerBytes, headerBytes.length + 4 + sealedKeys.length);
        int n = sealedKeys.length;
        out[headerBytes.length] = (byte) (n >>> 24);
        out[headerBytes.length + 1] = (byte) (n >>> 16);
        out[headerBytes.length + 2] = (byte) (n >>> 8);
        out[headerBytes.length + 3] = (byte) n;
        System.arraycopy(sealedKeys, 0, out, headerBytes.length + 4, n);
        return out;
    }

    /** Parses {@link #encode()}; throws {@link IOException} for anything else. */
    static KeysetRecord decode(byte[] v) throws IOException {
        java.io.ByteArrayInputStream bin = new java.io.ByteArrayInputStream(v);
        DataInputStream in = new DataInputStream(bin);
        if (!MAGIC.equals(in.readUTF())) throw new IOException("not a keyring4j etcd keyset");
        ProtectionKind kind = ProtectionKind.parse(in.readUTF());
        if (kind == null) throw new IOException("unknown protection");
        byte[] fileId = bytes(in, Header.FILE_ID_BYTES);
        byte[] check = bytes(in, 64);
        int m = in.readInt();
        int t = in.readInt();
        int p = in.readInt();
        Argon2Params a = m < 0 ? null : new Argon2Params(m, t, p);
        if (a != null && a.weakness() != null) throw new IOException("refused Argon2id parameters: " + a.weakness());
        byte[] salt = bytes(in, 64);
        String sealed = in.readUTF();
        int headerLength = v.length - bin.available();
        int n = in.readInt();
        if (n < 0 || n != bin.available()) throw new IOException("truncated keyset");
        byte[] keys = in.readNBytes(n);
        Header h = new Header(fileId, kind, check, a, salt.length == 0 ? null : salt, sealed.isEmpty() ? null : sealed);
        return new KeysetRecord(h, Arrays.copyOf(v, headerLength), keys);
    }

    private static void bytes(DataOutputStream o, byte[] b) throws IOException {
        if (b == null) {
            o.writeShort(0);
            return;
        }
        o.writeShort(b.length);
        o.write(b);
    }

    private static byte[] bytes(DataInputStream in, int max) throws IOException {
        int n = in.readUnsignedShort();
        if (n > max) throw new IOException("field too long");
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new IOException("truncated");
        return b;
    }
}
