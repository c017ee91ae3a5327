package dev.keyring4j.secretservice;

/**
 * An open Secret Service session: how secrets travel between us and the provider. Implementations
 * hold no plaintext; callers wipe the arrays they pass in and get back.
 */
interface SecretServiceSession {
    String CONTENT_TYPE = "text/plain; charset=utf8";

    /** The algorithm negotiated with {@code OpenSession}. */
    String algorithm();

    /** The session's object path on the provider. */
    String path();

    /** The Secret Service {@code Secret} struct {@code (oayays)} carrying {@code plaintext}. */
    Object[] encode(byte[] plaintext);

    /** The plaintext of a {@code Secret} struct; the caller owns and wipes the result. */
    byte[] decode(Object secretStruct);

    /** Forgets key material. The provider-side session is closed by closing the connection. */
    void destroy();
}
