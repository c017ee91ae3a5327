package dev.keyring4j;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * A secret value: bytes, with strings encoded as UTF-8.
 *
 * <p>Guarantees: every factory and accessor copies, so no caller shares the internal array;
 * {@link #toString()} never shows the content; {@link #equals(Object)} runs in time that depends
 * only on the lengths; {@link #destroy()} overwrites the content with zeros, after which every
 * accessor throws {@link IllegalStateException}. Thread-safe.
 */
public final class Secret implements Destroyable, AutoCloseable {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private Secret(byte[] ownedBytes) {
        this.bytes = ownedBytes;
    }

    /** A secret holding the UTF-8 encoding of {@code value}. */
    public static Secret of(String value) {
        if (value == null) throw new NullPointerException("value");
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A secret holding the UTF-8 encoding of {@code value}; the caller may wipe its array afterwards. */
    public static Secret of(char[] value) {
        if (value == null) throw new NullPointerException("value");
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        // the encoder's buffer may be larger than its content; wipe all of it
        Arrays.fill(encoded.array(), (byte) 0);
        return new Secret(out);
    }

    /** A secret holding a copy of {@code value}. */
    public static Secret of(byte[] value) {
        if (value == null) throw new NullPointerException("value");
        return new Secret(value.clone());
    }

    /** The content decoded as UTF-8 (malformed input is replaced, never rejected). */
    public String asString() {
        return new String(checked(), StandardCharsets.UTF_8);
    }

    /**
     * The content decoded as UTF-8 into a fresh array the caller owns and should wipe.
     * Malformed input is replaced with U+FFFD.
     */
    public char[] asChars() {
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(checked()));
            char[] out = Arrays.copyOf(decoded.array(), decoded.limit());
            Arrays.fill(decoded.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("cannot happen with REPLACE", e);
        }
    }

    /** A copy of the content. */
    public byte[] asBytes() {
        return checked().clone();
    }

    /** The number of bytes. */
    public int length() {
        return checked().length;
    }

    /** Overwrites the content with zeros. Idempotent. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Same as {@link #destroy()}, for try-with-resources. */
    @Override
    public void close() {
        destroy();
    }

    private byte[] checked() {
        if (destroyed) throw new IllegalStateException("this Secret was destroyed");
        return bytes;
    }

    /** Constant-time comparison of the content (time depends only on the lengths). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(checked(), other.checked());
    }

    /** Depends on the length only, so hashing reveals nothing of the content. */
    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return destroyed ? "Secret[destroyed]" : "Secret[redacted]";
    }
}
