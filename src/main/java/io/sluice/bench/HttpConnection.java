package io.sluice.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 keep-alive connection on a plain blocking socket. The load generator uses this rather
 * than {@code java.net.http.HttpClient}: a blocking socket per worker costs the client far less CPU per
 * request, which matters when client and server share a machine. Understands exactly what Sluice
 * answers: a status line, headers, and a body with {@code Content-Length} or chunked encoding.
 */
final class HttpConnection implements AutoCloseable {

    /** A response: status code and body bytes. */
    record Response(int status, byte[] body) {
    }

    private final URI base;
    private final String host;
    private final int port;
    private final boolean tls;
    private final byte[] headerTail;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpConnection(URI base, String bearerToken) {
        this.base = base;
        this.tls = "https".equalsIgnoreCase(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
        StringBuilder h = new StringBuilder();
        h.append("Host: ").append(host).append(':').append(port).append("\r\n");
        h.append("Content-Type: application/json\r\n");
        if (bearerToken != null && !bearerToken.isBlank()) {
            h.append("Authorization: Bearer ").append(bearerToken.trim()).append("\r\n");
        }
        this.headerTail = h.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends a POST to {@code path} (relative to the base URL's path) and reads the whole answer. */
    Response post(String path, byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            ByteArrayOutputStream req = new ByteArrayOutputStream(body.length + 256);
            req.writeBytes(("POST " + fullPath(path) + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(headerTail);
            req.writeBytes(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(body);
            req.writeTo(out);
            out.flush();
            return read();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private String fullPath(String path) {
        String p = base.getRawPath() == null ? "" : base.getRawPath();
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p + path;
    }

    private void connect() throws IOException {
        Socket s = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(60_000);
            socket = s;
            in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            out = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = status.startsWith("HTTP/1.0");
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                closeAfter = value.equalsIgnoreCase("close");
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int size = chunkSize(); size > 0; size = chunkSize()) {
                b.writeBytes(in.readNBytes(size));
                line();
            }
            for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                // trailers are not used by Sluice; skipped
            }
            body = b.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("connection closed in the middle of a response body");
            }
        } else {
            body = in.readAllBytes();
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(code, body);
    }

    private int chunkSize() throws IOException {
        String l = line();
        int semi = l.indexOf(';');
        return Integer.parseInt((semi < 0 ? l : l.substring(0, semi)).trim(), 16);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a broken connection; nothing to do
            }
            socket = null;
        }
    }
}
