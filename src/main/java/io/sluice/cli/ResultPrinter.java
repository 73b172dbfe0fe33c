package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** Prints {@code sluice sql} results as an aligned table, CSV (RFC 4180) or a JSON array of row objects. */
final class ResultPrinter {

    /** The output modes of {@code .mode}. */
    enum Mode {
        TABLE, CSV, JSON;

        static Mode parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private ResultPrinter() {
    }

    /** Prints a result; a statement without columns (DDL, a write) prints nothing. */
    static void print(PrintWriter out, Mode mode, DataClient.Result result) {
        if (result.columns().isEmpty()) {
            return;
        }
        switch (mode) {
            case TABLE -> table(out, result);
            case CSV -> csv(out, result);
            case JSON -> json(out, result);
        }
        out.flush();
    }

    private static void table(PrintWriter out, DataClient.Result result) {
        List<String> cols = result.columns();
        int n = cols.size();
        String[] header = new String[n];
        int[] widths = new int[n];
        boolean[] numeric = new boolean[n];
        for (int c = 0; c < n; c++) {
            header[c] = printable(cols.get(c));
            widths[c] = length(header[c]);
            numeric[c] = !result.rows().isEmpty();
        }
        String[][] cells = new String[result.rows().size()][];
        for (int r = 0; r < cells.length; r++) {
            List<JsonNode> row = result.rows().get(r);
            cells[r] = new String[n];
            for (int c = 0; c < n; c++) {
                JsonNode v = c < row.size() ? row.get(c) : null;
                cells[r][c] = printable(text(v, "NULL"));
                widths[c] = Math.max(widths[c], length(cells[r][c]));
                String type = v == null ? "null" : v.path("type").asText();
                numeric[c] &= type.equals("integer") || type.equals("float") || type.equals("null");
            }
        }
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < n; c++) {
            rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
        }
        line(out, header, widths, new boolean[n]);
        out.println(rule);
        for (String[] row : cells) {
            line(out, row, widths, numeric);
        }
        out.println("(" + cells.length + (cells.length == 1 ? " row)" : " rows)"));
    }

    private static void line(PrintWriter out, String[] cells, int[] widths, boolean[] right) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(widths[c] - length(cells[c]));
            b.append(c == 0 ? "" : " | ").append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        out.println(b.toString().stripTrailing());
    }

    private static void csv(PrintWriter out, DataClient.Result result) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < result.columns().size(); c++) {
            b.append(c == 0 ? "" : ",").append(csvField(result.columns().get(c)));
        }
        out.print(b.append("\r\n"));
        for (List<JsonNode> row : result.rows()) {
            b.setLength(0);
            for (int c = 0; c < row.size(); c++) {
                b.append(c == 0 ? "" : ",").append(csvField(text(row.get(c), "")));
            }
            out.print(b.append("\r\n"));
        }
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void json(PrintWriter out, DataClient.Result result) {
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        for (List<JsonNode> row : result.rows()) {
            ObjectNode o = rows.addObject();
            for (int c = 0; c < result.columns().size() && c < row.size(); c++) {
                o.set(result.columns().get(c), jsonValue(row.get(c)));
            }
        }
        out.println(rows.toString());
    }

    /** A Hrana value as plain JSON: integers as exact numbers, blobs as base64 text. */
    private static JsonNode jsonValue(JsonNode v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (v.path("type").asText()) {
            case "integer":
                try {
                    return f.numberNode(new BigInteger(v.path("value").asText()));
                } catch (NumberFormatException e) {
                    return f.textNode(v.path("value").asText());
                }
            case "float":
                return v.path("value").isNumber() ? f.numberNode(v.get("value").decimalValue()) : f.textNode(v.path("value").asText());
            case "text":
                return f.textNode(v.path("value").asText());
            case "blob":
                return f.textNode(v.path("base64").asText());
            default:
                return f.nullNode();
        }
    }

    /** A Hrana value as text; blobs as SQL hex literals, null as the given word. */
    static String text(JsonNode v, String nullText) {
        if (v == null) {
            return nullText;
        }
        switch (v.path("type").asText()) {
            case "integer":
            case "text":
                return v.path("value").asText();
            case "float":
                JsonNode f = v.path("value");
                if (f.isNumber()) {
                    BigDecimal d = f.decimalValue();
                    // a REAL stays recognisable as one: 1.0, not 1
                    return d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(1_000_000_000_000_000L)) < 0
                            ? d.setScale(1).toPlainString() : f.asText();
                }
                return f.asText();
            case "blob":
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(v.path("base64").asText().replaceAll("=+$", ""));
                } catch (IllegalArgumentException e) {
                    return "x'?'";
                }
                return "x'" + HexFormat.of().formatHex(bytes) + "'";
            default:
                return nullText;
        }
    }

    /**
     * What a table cell may show on a terminal: control characters (newlines, tabs, and above all ESC, which
     * would let a stored value drive the operator's terminal) are written as {@code \n}, {@code \t} or
     * {@code \\uXXXX}.
     */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\t') {
                    b.append("\\t");
                } else if (c == '\r') {
                    b.append("\\r");
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
