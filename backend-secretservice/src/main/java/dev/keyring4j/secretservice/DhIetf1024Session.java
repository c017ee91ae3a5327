package dev.keyring4j.secretservice;

import dev.keyring4j.KeyringException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.DestroyFailedException;
import org.freedesktop.dbus.DBusPath;

/**
 * The {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} algorithm of the Secret Service spec: a
 * Diffie-Hellman exchange in the second Oakley group (RFC 2409, 1024-bit MODP, generator 2),
 * HKDF-SHA256 of the shared secret (empty salt, empty info, as libsecret does) to a 128-bit AES
 * key, and AES-CBC with PKCS#7 padding and a fresh random IV for every secret.
 */
final class DhIetf1024Session implements SecretServiceSession {
    static final BigInteger PRIME = new BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
            + "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
            + "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
            + "FFFFFFFFFFFFFFFF", 16);
    static final BigInteger GENERATOR = BigInteger.TWO;
    private static final int PRIME_BYTES = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String path;
    private final SecretKeySpec key;

    private DhIetf1024Session(String path, SecretKeySpec key) {
        this.path = path;
        this.key = key;
    }

    /** At most one exchange generated ahead of need by {@link Exchange#prepare}; taken once. */
    private static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Exchange>> PREPARED =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Our half of the exchange: keep the private part until {@link #complete}. */
    static final class Exchange {
        private final KeyPair pair;

        Exchange() {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("DH");
                g.initialize(new DHParameterSpec(PRIME, GENERATOR), RANDOM);
                pair = g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM cannot do Diffie-Hellman in the 1024-bit Oakley group", e);
            }
        }

        /**
         * Starts generating an exchange on a daemon thread, while the caller connects to the bus: in a
         * cold JVM the key pair and the JCE set-up behind it (providers, AES, HMAC) take about as long
         * as dbus-java's connection, and a second core does them meanwhile. The next {@link #take}
         * gets it; one prepared exchange at a time, each used once.
         */
        static void prepare() {
            java.util.concurrent.CompletableFuture<Exchange> f = new java.util.concurrent.CompletableFuture<>();
            if (!PREPARED.compareAndSet(null, f)) return;
            Thread t = new Thread(() -> {
                try {
                    Exchange e = new Exchange();
                    // warm the ciphers the session uses: their providers load here, not on the caller's path
                    Cipher.getInstance("AES/CBC/PKCS5Padding");
                    Mac.getInstance("HmacSHA256");
                    KeyAgreement.getInstance("DH");
                    f.complete(e);
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "keyring4j-secret-service-dh");
            t.setDaemon(true);
            t.start();
        }

        /** The prepared exchange if there is one (waiting for it), else a new one. */
        static Exchange take() {
            java.util.concurrent.CompletableFuture<Exchange> f = PREPARED.getAndSet(null);
            if (f != null) {
                try {
                    return f.join();
                } catch (RuntimeException e) {
                    // generate it here instead, where a failure is reported as usual
                }
            }
            return new Exchange();
        }

        /** Our public value, big-endian and unsigned (no sign byte), as the spec requires. */
        byte[] publicValue() {
            return unsigned(((DHPublicKey) pair.getPublic()).getY());
        }

        /** Completes the exchange with the provider's public value and the session path {@code OpenSession} returned. */
        DhIetf1024Session complete(String sessionPath, byte[] providerPublic) {
            byte[] shared = null;
            byte[] okm = null;
            try {
                BigInteger y = new BigInteger(1, providerPublic);
                if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(PRIME.subtract(BigInteger.ONE)) >= 0) {
                    throw new KeyringException("secret-service: the Secret Service sent an invalid Diffie-Hellman public value");
                }
                KeyAgreement agreement = KeyAgreement.getInstance("DH");
                agreement.init(pair.getPrivate());
                agreement.doPhase(KeyFactory.getInstance("DH").generatePublic(new DHPublicKeySpec(y, PRIME, GENERATOR)), true);
                shared = leftPad(agreement.generateSecret());
                okm = hkdfSha256(shared, 16);
                return new DhIetf1024Session(sessionPath, new SecretKeySpec(okm, "AES"));
            } catch (GeneralSecurityException e) {
                throw new KeyringException("secret-service: Diffie-Hellman key agreement with the Secret Service failed", e);
            } finally {
                if (shared != null) Arrays.fill(shared, (byte) 0);
                if (okm != null) Arrays.fill(okm, (byte) 0);
                try {
                    pair.getPrivate().destroy();
                } catch (DestroyFailedException | RuntimeException ignored) {
                    // the JDK's DH keys cannot be destroyed; the pair is dropped right here
                }
            }
        }
    }

    /** HKDF-SHA256 (RFC 5869) with an empty salt (HMAC treats it as HashLen zeros) and empty info. */
    static byte[] hkdfSha256(byte[] ikm, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        try {
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] t1 = mac.doFinal(new byte[] {1});
            byte[] out = Arrays.copyOf(t1, length);
            Arrays.fill(t1, (byte) 0);
            return out;
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    private static byte[] leftPad(byte[] secret) {
        if (secret.length == PRIME_BYTES) return secret;
        byte[] out = new byte[PRIME_BYTES];
        int skip = Math.max(0, secret.length - PRIME_BYTES);
        System.arraycopy(secret, skip, out, PRIME_BYTES - (secret.length - skip), secret.length - skip);
        Arrays.fill(secret, (byte) 0);
        return out;
    }

    static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    @Override
    public String algorithm() {
        return SecretServiceSettings.DH_ALGORITHM;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Object[] encode(byte[] plaintext) {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            return new Object[] {new DBusPath(path), iv, c.doFinal(plaintext), SecretServiceSession.contentType(plaintext)};
        } catch (GeneralSecurityException e) {
            throw new KeyringException("secret-service: cannot encrypt for the Secret Service session", e);
        }
    }

    @Override
    public byte[] decode(Object secretStruct) {
        Object[] s = DBusValues.struct(secretStruct);
        byte[] iv = DBusValues.bytes(s[1]);
        byte[] value = DBusValues.bytes(s[2]);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            return c.doFinal(value);
        } catch (GeneralSecurityException e) {
            // never the bytes: only that decryption failed
            throw new KeyringException("secret-service: cannot decrypt the secret the Secret Service sent (bad padding or key)", e);
        }
    }

    @Override
    public void destroy() {
        try {
            key.destroy();
        } catch (DestroyFailedException ignored) {
            // SecretKeySpec cannot wipe itself on this JDK; the session object is dropped with the store
        }
    }

    @Override
    public String toString() {
        return "DhIetf1024Session[" + path + "]";
    }
}
