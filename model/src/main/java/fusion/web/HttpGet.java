package fusion.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 GET over a socket that is already connected (to an address the guard checked), with
 * {@code Connection: close}. Small on purpose: no keep-alive, no compression, no caching. Every read is bounded
 * by the fetch's deadline and every header and body by a size.
 */
final class HttpGet implements AutoCloseable {
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;

    /** Status and headers (names in lower case, the first value of each). */
    record Head(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** A body read up to the cap; {@code truncated} when the page had more. */
    record Body(byte[] bytes, boolean truncated) {}

    private final Socket socket;
    private final InputStream in;
    private final long deadlineNanos;
    private Head head;

    HttpGet(Socket socket, long deadlineNanos) throws IOException {
        this.socket = socket;
        this.deadlineNanos = deadlineNanos;
        this.in = new BufferedInputStream(new DeadlineStream(socket.getInputStream()));
    }

    Head send(FetchTarget target) throws IOException {
        String request = "GET " + target.requestTarget() + " HTTP/1.1\r\n"
                + "Host: " + target.hostHeader() + "\r\n"
                + "User-Agent: fusion-web-fetch/1\r\n"
                + "Accept: text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.1\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        do {
            head = readHead();
        } while (head.status() >= 100 && head.status() < 200); // interim answers (100 Continue, 103 Early Hints)
        return head;
    }

    Body body(long maxBytes) throws IOException {
        String encoding = head.header("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).endsWith("chunked")) return chunked(maxBytes);
        String length = head.header("content-length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new IOException("a malformed Content-Length");
            }
            if (declared < 0) throw new IOException("a negative Content-Length");
            return read(Math.min(declared, maxBytes), declared > maxBytes);
        }
        return readToEnd(maxBytes);
    }

    private Body chunked(long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a malformed chunk size");
            }
            if (size < 0) throw new IOException("a negative chunk size");
            if (size == 0) return new Body(out.toByteArray(), false);
            long room = maxBytes - out.size();
            copy(out, Math.min(size, room));
            if (size > room) return new Body(out.toByteArray(), true);
            line(); // the CRLF after each chunk
        }
    }

    private Body read(long count, boolean truncated) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(count, 1 << 16));
        copy(out, count);
        return new Body(out.toByteArray(), truncated);
    }

    private Body readToEnd(long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (out.size() < maxBytes) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes - out.size()));
            if (n < 0) return new Body(out.toByteArray(), false);
            out.write(buffer, 0, n);
        }
        return new Body(out.toByteArray(), in.read() >= 0);
    }

    private void copy(ByteArrayOutputStream out, long count) throws IOException {
        byte[] buffer = new byte[8192];
        long left = count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) throw new IOException("the connection closed before the body ended");
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private Head readHead() throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP/1.x answer");
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("a malformed status line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            if (i > MAX_HEADERS) throw new IOException("more than " + MAX_HEADERS + " headers");
            String line = line();
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException("a malformed header line");
            headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return new Head(status, headers);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("the connection closed mid-header");
            if (c == '\n') break;
            if (line.length() >= MAX_LINE) throw new IOException("a header line longer than " + MAX_LINE + " bytes");
            line.append((char) c);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Sets the socket's read timeout to what is left of the deadline before every read, so a trickling server cannot stretch the fetch. */
    private final class DeadlineStream extends InputStream {
        private final InputStream raw;

        DeadlineStream(InputStream raw) {
            this.raw = raw;
        }

        private void arm() throws IOException {
            long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) throw new SocketTimeoutException("the fetch ran out of time");
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        }

        @Override
        public int read() throws IOException {
            arm();
            return raw.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return raw.read(b, off, len);
        }
    }
}
