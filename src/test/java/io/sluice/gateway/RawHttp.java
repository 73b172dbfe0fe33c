package io.sluice.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Reading HTTP/1.1 answers off a raw socket, for tests that speak to the server byte by byte. */
final class RawHttp {
    private RawHttp() {
    }

    /** Reads one response's head (status line and headers). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response; got " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response with a {@code Content-Length}: its head, and its body. */
    static String[] readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = readHead(in);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String[] {head, new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }
}
