package dev.keyring4j.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a fuzz target reads several text fields from one fuzzer input, so that seed files stay plain
 * text (docs/fuzzing.md): the input is split at {@code \n} into at most {@code n} fields, the last
 * taking the rest (newlines included), missing fields are empty. A field that is valid UTF-8 is that
 * text; any other field is read as UTF-16BE, which reaches every Java string, unpaired surrogates and
 * NUL included. Deterministic: one input, one list.
 */
public final class FuzzFields {
    private FuzzFields() {
    }

    /** Exactly {@code n} fields of {@code input}. */
    public static List<String> split(byte[] input, int n) {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1");
        List<String> out = new ArrayList<>(n);
        int start = 0;
        for (int i = 0; i < n - 1; i++) {
            int nl = indexOf(input, (byte) '\n', start);
            int end = nl < 0 ? input.length : nl;
            out.add(text(Arrays.copyOfRange(input, Math.min(start, end), end)));
            start = nl < 0 ? input.length : nl + 1;
        }
        out.add(text(Arrays.copyOfRange(input, start, input.length)));
        return out;
    }

    /** One field: UTF-8 when valid, else UTF-16BE (an odd last byte dropped). */
    public static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // by hand: the JDK's UTF-16 decoder would replace an unpaired surrogate
            char[] chars = new char[bytes.length / 2];
            for (int i = 0; i < chars.length; i++) chars[i] = (char) ((bytes[2 * i] & 0xFF) << 8 | (bytes[2 * i + 1] & 0xFF));
            return new String(chars);
        }
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) return i;
        }
        return -1;
    }
}
