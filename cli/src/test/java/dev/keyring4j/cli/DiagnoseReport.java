package dev.keyring4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The backend table and the choice that {@code keyring4j diagnose} prints, parsed. */
record DiagnoseReport(Map<String, Row> rows, String opens, String text) {
    /** One backend row: its state ({@code available}, {@code unavailable}, {@code indeterminate}), probe time in ms (-1 when none), reason. */
    record Row(String id, String state, long probeMillis, String rest) {
    }

    private static final Pattern ROW = Pattern.compile(
            "^ {2}(\\S+)\\s+(\\S+)\\s+(available|unavailable|indeterminate)\\s+(-|\\d+ ms)\\s+(.*)$");

    static DiagnoseReport parse(String text) {
        Map<String, Row> rows = new LinkedHashMap<>();
        String opens = null;
        for (String line : text.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                String t = m.group(4);
                rows.put(m.group(1), new Row(m.group(1), m.group(3), t.equals("-") ? -1 : Long.parseLong(t.replace(" ms", "")), m.group(5)));
            } else if (line.startsWith("Keyring.open() ")) {
                opens = line;
            }
        }
        return new DiagnoseReport(rows, opens, text);
    }

    Optional<Row> row(String id) {
        return Optional.ofNullable(rows.get(id));
    }
}
