package dev.keyring4j.secretservice;

/**
 * An open Secret Service session: how secrets travel between us and the provider. Implementations
 * hold no plaintext; callers wipe the arrays they pass in and get back.
 */
interface SecretServiceSession {
    String CONTENT_TYPE = "text/plain; charset=utf8";
    /**
     * For a secret sent as bytes. KeePassXC keeps a text/plain secret as the entry's password
     * string, which it returns with its placeholders resolved ({USERNAME}, {REF:…}, {S:…} are
     * replaced) and a leading BOM stripped; any other content type it keeps as exact bytes.
     */
    String BINARY_CONTENT_TYPE = "application/octet-stream";

    /**
     * The content type a secret is sent with: text (what KeePassXC shows as the password) when it is
     * valid UTF-8 that no provider rewrites (no '{', no leading BOM), else binary. Every reader
     * tried (secret-tool, Python keyring, libsecret) returns either kind as the same bytes.
     */
    static String contentType(byte[] plaintext) {
        for (byte b : plaintext) if (b == '{') return BINARY_CONTENT_TYPE;
        boolean bom = plaintext.length >= 3 && (plaintext[0] & 0xff) == 0xef && (plaintext[1] & 0xff) == 0xbb && (plaintext[2] & 0xff) == 0xbf;
        return !bom && validUtf8(plaintext) ? CONTENT_TYPE : BINARY_CONTENT_TYPE;
    }

    /** Strict UTF-8 (no overlongs, surrogates or values above U+10FFFF), checked in place: no decoded copy of the secret. */
    private static boolean validUtf8(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xff;
            int n;
            int min;
            if (c < 0x80) {
                i++;
                continue;
            } else if (c >= 0xc2 && c <= 0xdf) {
                n = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                n = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + n >= b.length) return false;
            int cp = c & (0x3f >> n);
            for (int k = 1; k <= n; k++) {
                int x = b[i + k] & 0xff;
                if ((x & 0xc0) != 0x80) return false;
                cp = (cp << 6) | (x & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
            i += n + 1;
        }
        return true;
    }

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
