package dev.keyring4j.secretservice;

import java.util.Arrays;
import org.freedesktop.dbus.DBusPath;

/** The {@code plain} algorithm: secrets cross the bus unencrypted. Only used when configured. */
final class PlainSession implements SecretServiceSession {
    private final String path;

    PlainSession(String path) {
        this.path = path;
    }

    @Override
    public String algorithm() {
        return SecretServiceSettings.PLAIN_ALGORITHM;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Object[] encode(byte[] plaintext) {
        // the message keeps its own copy; the caller wipes the array it gave us
        return new Object[] {new DBusPath(path), new byte[0], plaintext.clone(), SecretServiceSession.contentType(plaintext)};
    }

    @Override
    public byte[] decode(Object secretStruct) {
        Object[] s = DBusValues.struct(secretStruct);
        byte[] value = DBusValues.bytes(s[2]);
        byte[] out = value.clone();
        Arrays.fill(value, (byte) 0);
        return out;
    }

    @Override
    public void destroy() {
        // no key material
    }

    @Override
    public String toString() {
        return "PlainSession[" + path + "]";
    }
}
