package dev.keyring4j.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a configured command line into arguments the way a POSIX shell would split words, and
 * nothing more: whitespace separates, {@code '…'} quotes literally, {@code "…"} quotes with
 * {@code \"} and {@code \\} escapes, a backslash outside quotes escapes the next character. No
 * variables, globs, pipes or redirections: the command runs without a shell.
 */
final class Argv {
    private Argv() {
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated single quote");
                cur.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && (line.charAt(j + 1) == '"' || line.charAt(j + 1) == '\\')) {
                        cur.append(line.charAt(++j));
                    } else {
                        cur.append(d);
                    }
                }
                if (j >= line.length()) throw new IllegalArgumentException("unterminated double quote");
                i = j;
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) throw new IllegalArgumentException("a backslash at the end");
                cur.append(line.charAt(++i));
                inWord = true;
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) out.add(cur.toString());
        return out;
    }
}
