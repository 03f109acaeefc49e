package fusion.web;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A URL web_fetch may try, parsed by us alone, so what is checked is what is connected to: there is no second
 * parser to disagree with. The host is canonical (IDN to ASCII, lower case, trailing dots gone) and an IPv4 host
 * in any spelling the C library would accept ({@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1},
 * {@code 127.1}) is turned into its address here, never handed to a resolver.
 *
 * @param host          canonical host: a DNS name, a dotted-quad IPv4 address or an unbracketed IPv6 address
 * @param literal       the address when the host is an IP literal, else null
 * @param requestTarget path and query, percent-encoded, never empty
 */
public record FetchTarget(String scheme, String host, int port, InetAddress literal, String requestTarget) {
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?");
    private static final Pattern NUMERIC_PART = Pattern.compile("0x[0-9a-f]*|[0-9]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final int MAX_URL_LENGTH = 8192;

    public static FetchTarget parse(String url) throws FetchRefusal {
        if (url == null || url.isBlank()) throw new FetchRefusal("empty URL");
        String text = url.strip();
        if (text.length() > MAX_URL_LENGTH) throw new FetchRefusal("URL longer than " + MAX_URL_LENGTH + " characters");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c == 0x7f) throw new FetchRefusal("whitespace or a control character in the URL");
        }
        var scheme = SCHEME.matcher(text);
        if (!scheme.find()) throw new FetchRefusal("no scheme");
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (!name.equals("http") && !name.equals("https")) throw new FetchRefusal("scheme " + name + " is not http or https");
        String rest = text.substring(scheme.end());
        if (!rest.startsWith("//")) throw new FetchRefusal("no authority after the scheme");
        rest = rest.substring(2);
        int end = indexOfAny(rest, "/?#");
        String authority = end < 0 ? rest : rest.substring(0, end);
        String pathAndQuery = end < 0 ? "" : rest.substring(end);
        int hash = pathAndQuery.indexOf('#');
        if (hash >= 0) pathAndQuery = pathAndQuery.substring(0, hash);

        // userinfo is refused outright: a model has no credentials to send, and "public@10.0.0.1" is the classic disguise
        if (authority.indexOf('@') >= 0) throw new FetchRefusal("userinfo in the URL");
        if (authority.indexOf('\\') >= 0 || authority.indexOf('%') >= 0) throw new FetchRefusal("a backslash or percent-escape in the host");
        int defaultPort = name.equals("https") ? 443 : 80;
        String hostText;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new FetchRefusal("unclosed IPv6 literal");
            hostText = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) throw new FetchRefusal("text after an IPv6 literal");
            portText = after.isEmpty() ? "" : after.substring(1);
            if (!IPV6.matcher(hostText).matches() || hostText.indexOf(':') < 0) throw new FetchRefusal("malformed IPv6 literal");
            InetAddress address = ipv6(hostText);
            return new FetchTarget(name, address.getHostAddress(), port(portText, defaultPort), address, requestTarget(pathAndQuery));
        }
        int colon = authority.lastIndexOf(':');
        hostText = colon < 0 ? authority : authority.substring(0, colon);
        portText = colon < 0 ? "" : authority.substring(colon + 1);
        if (hostText.indexOf(':') >= 0) throw new FetchRefusal("an unbracketed IPv6 address or a second colon");
        String host = canonicalName(hostText);
        int port = port(portText, defaultPort);
        InetAddress v4 = ipv4(host);
        return new FetchTarget(name, v4 == null ? host : v4.getHostAddress(), port, v4, requestTarget(pathAndQuery));
    }

    /** The URL as it is fetched, for the model, for sources and for resolving a redirect against. */
    public String url() {
        String shownHost = literal != null && host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
        return scheme + "://" + shownHost + (defaultPort ? "" : ":" + port) + requestTarget;
    }

    /** The {@code host:port} an allowlist entry must equal; IPv6 in brackets. */
    public String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The value of the {@code Host} header. */
    public String hostHeader() {
        boolean defaultPort = port == (scheme.equals("https") ? 443 : 80);
        String shownHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return defaultPort ? shownHost : shownHost + ":" + port;
    }

    /** Where a {@code Location} header points, as a URL text for {@link #parse}: absolute locations pass unchanged. */
    public String resolve(String location) throws FetchRefusal {
        String text = location.strip();
        if (SCHEME.matcher(text).find()) return text;
        if (text.startsWith("//")) return scheme + ":" + text;
        try {
            return new URI(url()).resolve(new URI(encode(text))).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchRefusal("a redirect location that is not a URL");
        }
    }

    static String canonicalName(String hostText) throws FetchRefusal {
        if (hostText.isEmpty()) throw new FetchRefusal("no host");
        String ascii;
        try {
            // IDNA maps full-width digits and dots and other look-alikes to ASCII before any rule below is applied
            ascii = IDN.toASCII(hostText, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new FetchRefusal("a host that is not a valid international domain name");
        }
        String host = ascii.toLowerCase(Locale.ROOT);
        while (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        if (host.isEmpty()) throw new FetchRefusal("no host");
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches() || label.length() > 63) throw new FetchRefusal("a malformed host name");
        }
        return host;
    }

    /**
     * The address of a host spelled as an IPv4 number the way inet_aton reads it (one to four parts, each decimal,
     * 0x-hex or 0-octal, the last filling the remaining bytes), or null for a DNS name. As in the WHATWG URL
     * standard, a host whose last label is numeric is an IPv4 address or nothing: it never reaches a resolver.
     */
    static InetAddress ipv4(String host) throws FetchRefusal {
        String[] parts = host.split("\\.", -1);
        if (!NUMERIC_PART.matcher(parts[parts.length - 1]).matches()) return null;
        if (parts.length > 4) throw new FetchRefusal("a numeric host with more than four parts");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!NUMERIC_PART.matcher(parts[i]).matches()) throw new FetchRefusal("a host mixing numbers and names");
            values[i] = number(parts[i]);
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) throw new FetchRefusal("an IPv4 part above 255");
            address = (address << 8) | values[i];
        }
        int lastBytes = 5 - parts.length;
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * lastBytes)) throw new FetchRefusal("an IPv4 number out of range");
        address = (address << (8 * lastBytes)) | last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    private static long number(String part) throws FetchRefusal {
        String digits;
        int radix;
        if (part.startsWith("0x")) {
            digits = part.substring(2);
            radix = 16;
        } else if (part.length() > 1 && part.startsWith("0")) {
            digits = part.substring(1);
            radix = 8;
        } else {
            digits = part;
            radix = 10;
        }
        digits = digits.replaceFirst("^0+(?=.)", "");
        if (digits.isEmpty()) return 0;
        if (digits.length() > 11) throw new FetchRefusal("an IPv4 number out of range");
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new FetchRefusal("a malformed IPv4 number");
        }
    }

    private static InetAddress ipv6(String literal) throws FetchRefusal {
        try {
            // the text holds a colon and only hex digits, colons and dots, so this parses a literal and never looks anything up
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new FetchRefusal("malformed IPv6 literal");
        }
    }

    private static int port(String text, int defaultPort) throws FetchRefusal {
        if (text.isEmpty()) return defaultPort;
        if (!text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) throw new FetchRefusal("a malformed port");
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) throw new FetchRefusal("a port out of range");
        return port;
    }

    private static String requestTarget(String pathAndQuery) {
        String target = pathAndQuery.isEmpty() || pathAndQuery.startsWith("?") ? "/" + pathAndQuery : pathAndQuery;
        return encode(target);
    }

    /** Percent-encodes what may not stand in a request line (non-ASCII, quotes, braces...); existing escapes are kept. */
    private static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0) out.append((char) c);
            else out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
        }
        return out.toString();
    }

    private static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) if (chars.indexOf(text.charAt(i)) >= 0) return i;
        return -1;
    }
}
