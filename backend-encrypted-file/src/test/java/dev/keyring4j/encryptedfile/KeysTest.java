package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Keys;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

/** The keyset container reader on input found by StoreFileFuzzTest (docs/fuzzing.md). */
class KeysTest {

    /** Was an IllegalArgumentException out of Tink ("Can't get the number of an unknown enum value"), not the documented GeneralSecurityException. */
    @Test
    void aKeysetWithAnUnknownEnumValueIsAGeneralSecurityException() throws Exception {
        byte[] input;
        try (InputStream in = KeysTest.class.getResourceAsStream("StoreFileFuzzTestInputs/storeFile/finding-tink-unknown-enum")) {
            input = in.readAllBytes();
        }
        assertThrows(GeneralSecurityException.class, () -> Keys.parse(input));
    }
}
