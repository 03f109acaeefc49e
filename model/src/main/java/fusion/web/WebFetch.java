package fusion.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code web_fetch(url)}: one guarded HTTP(S) GET, following redirects, each hop checked by the {@link FetchGuard}
 * and connected to the very addresses it checked. We speak HTTP/1.1 ourselves over the injected socket factories
 * because no JDK client lets us pick the address it connects to: {@code HttpClient} resolves the URL's host again.
 */
public final class WebFetch {
    private static final Logger log = LoggerFactory.getLogger(WebFetch.class);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /** Content types a model can read as text; anything else (images, PDFs, archives) is not fetched. */
    public static final Set<String> TEXT_TYPES = Set.of("text/html", "application/xhtml+xml", "text/plain", "text/markdown",
            "text/csv", "application/json", "application/ld+json", "application/xml", "text/xml");

    /**
     * @param maxBytes     body bytes read per page; a longer page is cut there and says so
     * @param timeout      for the whole fetch, redirects included
     * @param maxRedirects hops followed after the first request
     * @param maxChars     characters of text handed to the model
     */
    public record Limits(long maxBytes, Duration timeout, int maxRedirects, int maxChars) {}

    private final FetchGuard guard;
    private final SocketFactory sockets;
    private final SSLSocketFactory tlsSockets;
    private final Limits limits;

    public WebFetch(FetchGuard guard, SocketFactory sockets, SSLSocketFactory tlsSockets, Limits limits) {
        this.guard = guard;
        this.sockets = sockets;
        this.tlsSockets = tlsSockets;
        this.limits = limits;
    }

    /** A page, an honest failure ("the page answered 404"), or {@link LocalWebTools#REFUSED} with nothing of why. */
    public ToolResult fetch(String url) {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        String next = url;
        try {
            for (int hop = 0; ; hop++) {
                FetchTarget target = FetchTarget.parse(next);
                List<InetAddress> addresses = guard.addresses(target);
                try (HttpGet get = new HttpGet(connect(target, addresses, deadline), deadline)) {
                    HttpGet.Head head = get.send(target);
                    String location = head.header("location");
                    if (REDIRECTS.contains(head.status()) && location != null) {
                        if (hop >= limits.maxRedirects()) return failure("the page redirected more than " + limits.maxRedirects() + " times");
                        next = target.resolve(location);
                        continue;
                    }
                    if (head.status() < 200 || head.status() > 299) return failure("the page answered HTTP " + head.status());
                    return page(target, head, get);
                }
            }
        } catch (FetchRefusal e) {
            log.info("web_fetch refused {}: {}", shown(next), e.getMessage());
            return ToolResult.refusal(LocalWebTools.REFUSED);
        } catch (SocketTimeoutException e) {
            return failure("the page did not answer in " + limits.timeout().toSeconds() + " s");
        } catch (IOException e) {
            log.debug("web_fetch of {} failed: {}", shown(next), e.toString());
            return failure("the page could not be fetched");
        } catch (RuntimeException e) {
            // a page or a name the libraries choke on (an SNI name the JDK rejects, say): still a result, never a thrown call
            log.warn("web_fetch of {} failed unexpectedly", shown(next), e);
            return failure("the page could not be read");
        }
    }

    private ToolResult page(FetchTarget target, HttpGet.Head head, HttpGet get) throws IOException {
        String contentType = head.header("content-type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!TEXT_TYPES.contains(mediaType)) {
            return failure("the page is not text (content type " + (mediaType.isEmpty() ? "missing" : mediaType) + ")");
        }
        String encoding = head.header("content-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) return failure("the page came compressed although we asked for none");
        HttpGet.Body body = get.body(limits.maxBytes());
        String charset = charset(contentType);
        String title = null;
        String text;
        if (mediaType.equals("text/html") || mediaType.equals("application/xhtml+xml")) {
            PageText page = PageText.ofHtml(body.bytes(), charset, target.url());
            title = page.title();
            text = page.text();
        } else {
            text = new String(body.bytes(), charset == null ? StandardCharsets.UTF_8 : Charset.forName(charset));
        }
        boolean cut = text.length() > limits.maxChars();
        if (cut) text = text.substring(0, limits.maxChars());
        StringBuilder content = new StringBuilder();
        if (title != null) content.append("Title: ").append(title).append('\n');
        content.append("URL: ").append(target.url()).append("\n\n").append(text);
        if (body.truncated() || cut) content.append("\n\n[page truncated]");
        return new ToolResult(content.toString(), List.of(new WebSource(target.url(), title)), false);
    }

    /** Connects to the checked addresses in turn; TLS verifies the certificate against the URL's host, sent as SNI. */
    private Socket connect(FetchTarget target, List<InetAddress> addresses, long deadline) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) throw new SocketTimeoutException("the fetch ran out of time");
            Socket socket = sockets.createSocket();
            try {
                socket.connect(new InetSocketAddress(address, target.port()), (int) Math.min(Integer.MAX_VALUE, leftMillis));
                // bounds the TLS handshake too, which reads before HttpGet's per-read deadline is in place
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000)));
                return target.scheme().equals("https") ? tls(socket, target) : socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address to connect to");
    }

    private Socket tls(Socket connected, FetchTarget target) throws IOException {
        SSLSocket socket = (SSLSocket) tlsSockets.createSocket(connected, target.host(), target.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (target.literal() == null) parameters.setServerNames(List.of(new SNIHostName(target.host())));
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static String charset(String contentType) {
        if (contentType == null) return null;
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.strip().split("=", 2);
            if (pair.length == 2 && pair[0].strip().equalsIgnoreCase("charset")) {
                String name = pair[1].strip().replace("\"", "");
                try {
                    return Charset.isSupported(name) ? name : null;
                } catch (IllegalArgumentException e) {
                    return null; // an illegal charset name: let jsoup or UTF-8 decide
                }
            }
        }
        return null;
    }

    private static ToolResult failure(String what) {
        return new ToolResult("web_fetch failed: " + what + ".", List.of(), false);
    }

    /** The URL for a log line: at most 200 characters, so a model cannot flood the log. */
    private static String shown(String url) {
        return url == null ? "null" : url.length() > 200 ? url.substring(0, 200) + "…" : url;
    }
}
