package dev.keyring4j.secretservice;

import dev.keyring4j.support.Names;

/**
 * Refuses names the Secret Service cannot store faithfully. Names travel as D-Bus strings, which
 * must be valid UTF-8 without NUL: a name with NUL or an unpaired surrogate is refused with
 * {@link IllegalArgumentException} before anything is sent. The D-Bus reason for the one shared
 * check, {@link Names#requireFaithful}; D-Bus strings have no length limit of their own.
 */
final class NameCheck {
    private NameCheck() {
    }

    static void check(String what, String name) {
        Names.requireFaithful(what, name, Integer.MAX_VALUE, "D-Bus strings (UTF-8 without NUL) cannot hold it");
    }
}
