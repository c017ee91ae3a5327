package dev.keyring4j.support;

import java.nio.charset.StandardCharsets;

/**
 * The one check that a service or account name can be stored faithfully by a backend that keeps
 * names as UTF-8 text: non-empty, no NUL, no unpaired surrogate, and (where the backend has one) at
 * most a number of UTF-8 bytes. A name that fails is refused with {@link IllegalArgumentException}
 * before anything is written; the message names the part and the rule, and {@code because} says
 * which limit of the backend it is (it never repeats the name, which may be long or odd).
 */
public final class Names {
    private Names() {
    }

    /**
     * @param what     {@code "service"} or {@code "account"}
     * @param name     the name
     * @param maxBytes the largest UTF-8 length the backend holds, or {@code Integer.MAX_VALUE}
     * @param because  why, e.g. {@code "a kernel key description cannot hold it"}
     */
    public static void requireFaithful(String what, String name, int maxBytes, String because) {
        if (name == null) throw new NullPointerException(what);
        if (name.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL character, and " + because);
        requireUnicode(what, name, maxBytes, because);
    }

    /**
     * As {@link #requireFaithful}, for a backend that holds NUL (names inside its own encoding, such as
     * JSON): non-empty, no unpaired surrogate, at most {@code maxBytes} of UTF-8.
     */
    public static void requireUnicode(String what, String name, int maxBytes, String because) {
        if (name == null) throw new NullPointerException(what);
        if (name.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        if (unpairedSurrogate(name) >= 0) {
            throw new IllegalArgumentException(what + " is not valid Unicode (an unpaired surrogate), and " + because);
        }
        if (maxBytes != Integer.MAX_VALUE) {
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw new IllegalArgumentException(what + " is " + bytes + " bytes of UTF-8, over the limit of " + maxBytes + ", and " + because);
            }
        }
    }

    /**
     * The index of the first unpaired UTF-16 surrogate in {@code s}, or -1 when it is Unicode text.
     * Such a char has no UTF-8 encoding: {@code getBytes} writes {@code ?}, so two names would become one.
     */
    public static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
