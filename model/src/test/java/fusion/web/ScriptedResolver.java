package fusion.web;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A resolver for tests: answers the names it was given with the addresses it was given, and records every lookup. */
final class ScriptedResolver implements HostResolver {
    private final Map<String, List<InetAddress>> answers = new HashMap<>();
    private final List<String> lookups = new CopyOnWriteArrayList<>();

    ScriptedResolver answer(String name, InetAddress... addresses) {
        answers.put(name, List.of(addresses));
        return this;
    }

    List<String> lookups() {
        return lookups;
    }

    @Override
    public List<InetAddress> resolve(String name) throws UnknownHostException {
        lookups.add(name);
        List<InetAddress> found = answers.get(name);
        if (found == null) throw new UnknownHostException("no scripted answer for " + name);
        return found;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // only ever called with literals
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** An IPv6 address kept as IPv6 even when it is IPv4-mapped, the way some resolvers hand them out. */
    static InetAddress ipv6(byte... bytes) {
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
