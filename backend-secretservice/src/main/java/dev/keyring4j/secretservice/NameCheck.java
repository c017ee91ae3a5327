package dev.keyring4j.secretservice;

/**
 * Refuses names the Secret Service cannot store faithfully. Names travel as D-Bus strings, which
 * must be valid UTF-8 without NUL: a name with NUL or an unpaired surrogate is refused with
 * {@link IllegalArgumentException} before anything is sent.
 */
final class NameCheck {
    private NameCheck() {
    }

    static void check(String what, String name) {
        if (name == null) throw new NullPointerException(what);
        if (name.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\0') throw new IllegalArgumentException(what + " must not contain NUL (D-Bus strings cannot hold it)");
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException(what + " contains an unpaired surrogate, which UTF-8 (and so D-Bus) cannot hold");
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired surrogate, which UTF-8 (and so D-Bus) cannot hold");
            }
        }
    }
}
