package fusion.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * Decides, for one hop of a fetch, which addresses may be connected to: the host's name is looked up once, every
 * address it gives must be public, and the fetch then connects to exactly these addresses (so a DNS answer that
 * changes between check and connect cannot slip a private address in).
 *
 * @param allow        exact {@code host:port} entries (canonical host, IPv6 in brackets) that skip the name, port
 *                     and address rules, for tests and intranets
 * @param allowedPorts ports a host that is not allowlisted may be fetched on
 */
public record FetchGuard(Set<String> allow, Set<Integer> allowedPorts, HostResolver resolver) {

    /** Names that are internal whatever they resolve to: cloud metadata services and local-only suffixes. */
    private static final Set<String> REFUSED_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata.azure.com",
            "metadata.tencentyun.com", "instance-data.ec2.internal", "kubernetes.default.svc");
    private static final List<String> REFUSED_SUFFIXES = List.of(".localhost", ".local", ".internal", ".intranet", ".lan",
            ".localdomain", ".home.arpa", ".arpa", ".corp", ".private", ".svc", ".cluster.local", ".onion");

    public FetchGuard {
        allow = Set.copyOf(allow);
        allowedPorts = Set.copyOf(allowedPorts);
    }

    public boolean allowlisted(FetchTarget target) {
        return allow.contains(target.hostAndPort());
    }

    /** The addresses to connect to, in order, each checked; never empty. */
    public List<InetAddress> addresses(FetchTarget target) throws FetchRefusal, UnknownHostException {
        boolean allowlisted = allowlisted(target);
        if (!allowlisted && !allowedPorts.contains(target.port())) throw new FetchRefusal("port " + target.port() + " is not allowed");
        if (target.literal() != null) {
            if (!allowlisted) refuseIfNotPublic(target.literal());
            return List.of(target.literal());
        }
        if (!allowlisted) refuseInternalName(target.host());
        List<InetAddress> addresses = resolver.resolve(target.host());
        if (addresses == null || addresses.isEmpty()) throw new UnknownHostException("no address for the host");
        // every answer must pass, not just the first: a resolver may hand the connection any of them
        if (!allowlisted) for (InetAddress address : addresses) refuseIfNotPublic(address);
        return List.copyOf(addresses);
    }

    private static void refuseIfNotPublic(InetAddress address) throws FetchRefusal {
        String why = PublicAddresses.refusal(address);
        if (why != null) throw new FetchRefusal(address.getHostAddress() + " is not public: " + why);
    }

    /** Single-label names are refused too: a resolver's search domains would turn "metadata" or "intranet" into internal hosts. */
    private static void refuseInternalName(String host) throws FetchRefusal {
        if (host.indexOf('.') < 0) throw new FetchRefusal("single-label host " + host);
        if (REFUSED_NAMES.contains(host)) throw new FetchRefusal("metadata service name " + host);
        for (String suffix : REFUSED_SUFFIXES) {
            if (host.endsWith(suffix)) throw new FetchRefusal("internal name " + host);
        }
    }
}
