package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Renders admin API answers as readable tables, or as JSON with {@code --json}. */
final class Output {
    private Output() {
    }

    static void print(PrintWriter out, JsonNode node, boolean json) {
        if (json && !(node != null && node.isTextual())) {
            try {
                out.println(AdminClient.json().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
            } catch (java.io.IOException e) {
                out.println(node);
            }
        } else if (node == null) {
            out.println("ok");
        } else if (node.isTextual()) {
            out.println(node.asText());
        } else if (node.isArray()) {
            table(out, node);
        } else {
            keyValues(out, node, "");
        }
        out.flush();
    }

    /** An object as aligned "key  value" lines; nested objects indent, arrays of objects become tables. */
    static void keyValues(PrintWriter out, JsonNode node, String indent) {
        int width = 0;
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            width = Math.max(width, it.next().length());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                out.println(indent + e.getKey() + ":");
                keyValues(out, v, indent + "  ");
            } else if (v.isArray() && v.size() > 0 && v.get(0).isObject()) {
                out.println(indent + e.getKey() + ":");
                table(out, v);
            } else {
                out.printf("%s%-" + width + "s  %s%n", indent, e.getKey(), scalar(v));
            }
        }
    }

    /** An array of objects as a table with one column per field of the first row. */
    static void table(PrintWriter out, JsonNode rows) {
        if (rows.size() == 0) {
            out.println("(none)");
            return;
        }
        List<String> cols = new ArrayList<>();
        rows.get(0).fieldNames().forEachRemaining(cols::add);
        int[] widths = new int[cols.size()];
        for (int c = 0; c < cols.size(); c++) {
            widths[c] = cols.get(c).length();
            for (JsonNode row : rows) {
                widths[c] = Math.max(widths[c], scalar(row.get(cols.get(c))).length());
            }
        }
        StringBuilder header = new StringBuilder();
        for (int c = 0; c < cols.size(); c++) {
            header.append(String.format("%-" + widths[c] + "s  ", cols.get(c).toUpperCase()));
        }
        out.println(header.toString().stripTrailing());
        for (JsonNode row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols.size(); c++) {
                line.append(String.format("%-" + widths[c] + "s  ", scalar(row.get(cols.get(c)))));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String scalar(JsonNode v) {
        if (v == null || v.isNull()) {
            return "-";
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
