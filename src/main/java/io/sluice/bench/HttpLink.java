package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight, as wrk drives a server (no
 * pipelining). Requests go out as bytes encoded once by the caller ({@link #request}); answers are framed by
 * a minimal parser (status line, {@code Content-Length} or chunked body, {@code Connection: close}), so the
 * generator's CPU goes to the socket, not to an HTTP client's connection pool and header maps. A connection
 * the server closed is opened again on the next request. Used on its event loop only.
 */
final class HttpLink {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "connection".getBytes(StandardCharsets.US_ASCII);

    private final NetClient client;
    private final String host;
    private final int port;
    private NetSocket socket;
    private Future<NetSocket> connecting;
    private Promise<HranaTarget.Answer> pending;
    private Buffer received = Buffer.buffer(512);

    HttpLink(NetClient client, String host, int port) {
        this.client = client;
        this.host = host;
        this.port = port;
    }

    /**
     * A complete request: its head ({@code Host}, the given headers, {@code Content-Length}) and body, to be
     * sent as is, as often as wanted.
     *
     * @param headers extra header lines, each ending in CRLF
     */
    static Buffer request(String method, String host, int port, boolean tls, String path, String headers, byte[] body) {
        boolean defaultPort = port == (tls ? 443 : 80);
        String head = method + ' ' + path + " HTTP/1.1\r\nHost: " + host + (defaultPort ? "" : ":" + port) + "\r\n" + headers
                + "Content-Length: " + body.length + "\r\n\r\n";
        return Buffer.buffer(head.length() + body.length).appendBytes(head.getBytes(StandardCharsets.ISO_8859_1)).appendBytes(body);
    }

    /** Sends one request (see {@link #request}) and answers its status and body; the previous one must be answered. */
    Future<HranaTarget.Answer> send(Buffer request) {
        if (pending != null) {
            return Future.failedFuture(new IllegalStateException("a request is still in flight on this connection"));
        }
        Promise<HranaTarget.Answer> answer = Promise.promise();
        pending = answer;
        if (socket != null) {
            socket.write(request);
        } else {
            connect().onComplete(ar -> {
                if (ar.succeeded()) {
                    ar.result().write(request);
                } else {
                    fail(ar.cause());
                }
            });
        }
        return answer.future();
    }

    private Future<NetSocket> connect() {
        if (connecting == null) {
            connecting = client.connect(port, host).onComplete(ar -> {
                connecting = null;
                if (ar.succeeded()) {
                    NetSocket s = ar.result();
                    socket = s;
                    received = Buffer.buffer(512);
                    s.handler(this::onData);
                    s.closeHandler(v -> onClosed(s));
                    s.exceptionHandler(e -> fail(e));
                }
            });
        }
        return connecting;
    }

    /** Closes the connection; a request in flight fails. */
    void close() {
        if (socket != null) {
            socket.close();
        }
    }

    private void onClosed(NetSocket s) {
        if (socket == s) {
            socket = null;
        }
        fail(new IllegalStateException("the server closed the connection"));
    }

    private void fail(Throwable cause) {
        Promise<HranaTarget.Answer> p = pending;
        pending = null;
        if (p != null) {
            p.tryFail(cause);
        }
    }

    private void onData(Buffer data) {
        received.appendBuffer(data);
        Response r;
        try {
            r = Response.parse(received);
        } catch (IllegalArgumentException e) {
            // nothing on this connection can be trusted any more
            fail(e);
            socket.close();
            return;
        }
        if (r == null) {
            return; // not complete yet
        }
        received = r.end < received.length() ? received.getBuffer(r.end, received.length()) : Buffer.buffer(512);
        if (r.close) {
            NetSocket s = socket;
            socket = null;
            s.close();
        }
        Promise<HranaTarget.Answer> p = pending;
        pending = null;
        if (p != null) {
            p.complete(new HranaTarget.Answer(r.status, r.body));
        }
    }

    /** One complete response parsed from the start of a buffer. */
    record Response(int status, byte[] body, boolean close, int end) {
        /**
         * The response at the start of {@code in}, or null while it is incomplete.
         *
         * @throws IllegalArgumentException when the bytes are not an HTTP/1.1 response
         */
        static Response parse(Buffer in) {
            int headEnd = indexOf(in, END_OF_HEAD, 0, in.length());
            if (headEnd < 0) {
                return null;
            }
            // status line: "HTTP/1.x NNN ..."
            if (headEnd < 12 || in.getByte(0) != 'H' || in.getByte(4) != '/' || in.getByte(5) != '1' || in.getByte(6) != '.') {
                throw new IllegalArgumentException("not an HTTP/1.x response");
            }
            int code = 0;
            for (int i = 9; i < 12; i++) {
                byte d = in.getByte(i);
                if (d < '0' || d > '9') {
                    throw new IllegalArgumentException("no status code in the status line");
                }
                code = code * 10 + d - '0';
            }
            long length = -1;
            boolean chunked = false;
            boolean close = in.getByte(7) == '0';
            int line = indexOf(in, CRLF, 0, headEnd + 2) + 2;
            while (line < headEnd + 2) {
                int lineEnd = indexOf(in, CRLF, line, headEnd + 2);
                int colon = line;
                while (colon < lineEnd && in.getByte(colon) != ':') {
                    colon++;
                }
                if (colon < lineEnd) {
                    int value = colon + 1;
                    if (nameIs(in, line, colon, CONTENT_LENGTH)) {
                        length = digits(in, value, lineEnd);
                    } else if (nameIs(in, line, colon, TRANSFER_ENCODING)) {
                        chunked = in.getString(value, lineEnd, "ISO-8859-1").toLowerCase(Locale.ROOT).contains("chunked");
                    } else if (nameIs(in, line, colon, CONNECTION)) {
                        close = in.getString(value, lineEnd, "ISO-8859-1").trim().equalsIgnoreCase("close");
                    }
                }
                line = lineEnd + 2;
            }
            int bodyStart = headEnd + END_OF_HEAD.length;
            if (chunked) {
                return chunked(in, code, close, bodyStart);
            }
            if (length < 0) {
                // no length: the body runs to the end of the connection, which these answers never do
                throw new IllegalArgumentException("a response without Content-Length or chunked encoding");
            }
            if (in.length() - bodyStart < length) {
                return null;
            }
            int end = bodyStart + (int) length;
            return new Response(code, in.getBytes(bodyStart, end), close, end);
        }

        private static Response chunked(Buffer in, int code, boolean close, int at) {
            Buffer body = Buffer.buffer();
            while (true) {
                int lineEnd = indexOf(in, CRLF, at, in.length());
                if (lineEnd < 0) {
                    return null;
                }
                String sizeLine = in.getString(at, lineEnd, "ISO-8859-1");
                int semicolon = sizeLine.indexOf(';');
                int size;
                try {
                    size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad chunk size: " + sizeLine);
                }
                at = lineEnd + 2;
                if (size == 0) {
                    // trailers, then an empty line
                    int end = indexOf(in, CRLF, at, in.length());
                    while (end > at) {
                        at = end + 2;
                        end = indexOf(in, CRLF, at, in.length());
                    }
                    return end < 0 ? null : new Response(code, body.getBytes(), close, end + 2);
                }
                if (in.length() < at + size + 2) {
                    return null;
                }
                body.appendBuffer(in, at, size);
                at += size + 2;
            }
        }

        /** True when the header name in {@code [from, to)} is {@code lower}, in any case. */
        private static boolean nameIs(Buffer in, int from, int to, byte[] lower) {
            if (to - from != lower.length) {
                return false;
            }
            for (int i = 0; i < lower.length; i++) {
                byte b = in.getByte(from + i);
                if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lower[i]) {
                    return false;
                }
            }
            return true;
        }

        /** A decimal header value, blanks around it allowed. */
        private static long digits(Buffer in, int from, int to) {
            long v = 0;
            int n = 0;
            for (int i = from; i < to; i++) {
                byte b = in.getByte(i);
                if (b >= '0' && b <= '9' && n < 18) {
                    v = v * 10 + b - '0';
                    n++;
                } else if (b != ' ' && b != '\t') {
                    throw new IllegalArgumentException("bad Content-Length");
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException("empty Content-Length");
            }
            return v;
        }

        private static int indexOf(Buffer hay, byte[] needle, int from, int to) {
            outer:
            for (int i = from; i <= to - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay.getByte(i + j) != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
