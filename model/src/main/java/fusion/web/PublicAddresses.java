package fusion.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses web_fetch may connect to: only globally routable unicast. Judged on the address's bytes, never
 * on its text or by a lookup, so every spelling of an address meets the same rule.
 *
 * <p>IPv4: everything in IANA's special-purpose registry that is not globally reachable is refused. IPv6: only
 * global unicast {@code 2000::/3} can pass, minus its special blocks; an address that carries an IPv4 address the
 * network will use ({@code ::ffff:0:0/96} mapped, {@code 2002::/16} 6to4) is judged by that IPv4 address.
 */
public final class PublicAddresses {
    private PublicAddresses() {}

    /** An IPv4 block: network bits and prefix length, and the reason it is refused. */
    private record Block4(int network, int prefix, String name) {
        boolean contains(int address) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return (address & mask) == (network & mask);
        }
    }

    private static final Block4[] REFUSED_V4 = {
            block("0.0.0.0", 8, "this network / unspecified"),
            block("10.0.0.0", 8, "private (RFC 1918)"),
            block("100.64.0.0", 10, "shared address space (CGNAT), holds Alibaba's metadata 100.100.100.200"),
            block("127.0.0.0", 8, "loopback"),
            block("169.254.0.0", 16, "link-local, holds the cloud metadata address 169.254.169.254"),
            block("172.16.0.0", 12, "private (RFC 1918)"),
            block("192.0.0.0", 24, "IETF protocol assignments, holds Oracle's metadata 192.0.0.192"),
            block("192.0.2.0", 24, "documentation (TEST-NET-1)"),
            block("192.88.99.0", 24, "6to4 relay anycast"),
            block("192.168.0.0", 16, "private (RFC 1918)"),
            block("198.18.0.0", 15, "benchmarking"),
            block("198.51.100.0", 24, "documentation (TEST-NET-2)"),
            block("203.0.113.0", 24, "documentation (TEST-NET-3)"),
            block("224.0.0.0", 4, "multicast"),
            block("240.0.0.0", 4, "reserved, holds the broadcast address 255.255.255.255"),
    };

    /**
     * Why the address is not public, or null when web_fetch may connect to it. The reason is for logs and tests,
     * never for the model.
     */
    public static String refusal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) return refusalV4(toInt(b, 0));
        if (address instanceof Inet6Address) return refusalV6(b);
        return "not an IP address";
    }

    public static boolean isPublic(InetAddress address) {
        return refusal(address) == null;
    }

    private static String refusalV4(int address) {
        for (Block4 block : REFUSED_V4) {
            if (block.contains(address)) return block.name();
        }
        return null;
    }

    private static String refusalV6(byte[] b) {
        if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            String v4 = refusalV4(toInt(b, 12));
            return v4 == null ? null : "IPv4-mapped " + v4;
        }
        int first16 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int second16 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (first16 == 0x2002) {
            String v4 = refusalV4(toInt(b, 2));
            return v4 == null ? null : "6to4 around " + v4;
        }
        if ((b[0] & 0xe0) != 0x20) return nonGlobalV6Name(b);
        // inside 2000::/3, the blocks that are not globally reachable or hide another address
        if (first16 == 0x2001 && second16 < 0x0200) return "IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID)";
        if (first16 == 0x2001 && second16 == 0x0db8) return "documentation 2001:db8::/32";
        if (first16 == 0x3fff && (second16 & 0xf000) == 0) return "documentation 3fff::/20";
        return null;
    }

    private static String nonGlobalV6Name(byte[] b) {
        int first = b[0] & 0xff;
        if (first == 0xff) return "IPv6 multicast";
        if ((first & 0xfe) == 0xfc) return "IPv6 unique local fc00::/7, holds AWS's metadata fd00:ec2::254";
        if (first == 0xfe && (b[1] & 0xc0) == 0x80) return "IPv6 link-local fe80::/10";
        if (first == 0xfe && (b[1] & 0xc0) == 0xc0) return "IPv6 site-local fec0::/10";
        if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) return "NAT64 64:ff9b::/96 and 64:ff9b:1::/48";
        if (isZero(b, 0, 15) && b[15] == 1) return "IPv6 loopback ::1";
        if (isZero(b, 0, 16)) return "IPv6 unspecified ::";
        if (isZero(b, 0, 12)) return "IPv4-compatible ::/96 (deprecated)";
        return "outside IPv6 global unicast 2000::/3";
    }

    private static Block4 block(String network, int prefix, String name) {
        String[] parts = network.split("\\.");
        int value = 0;
        for (String part : parts) value = (value << 8) | Integer.parseInt(part);
        return new Block4(value, prefix, name);
    }

    private static int toInt(byte[] b, int offset) {
        return ((b[offset] & 0xff) << 24) | ((b[offset + 1] & 0xff) << 16) | ((b[offset + 2] & 0xff) << 8) | (b[offset + 3] & 0xff);
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }
}
