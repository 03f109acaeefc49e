package fusion.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Looks a host name up, once per hop: the fetch checks the addresses it returns and connects to those very
 * addresses, so nothing is looked up twice. Injected, so tests can answer any name with any address.
 */
@FunctionalInterface
public interface HostResolver {

    /** Every address of a DNS name; never called with an IP literal. */
    List<InetAddress> resolve(String name) throws UnknownHostException;

    static HostResolver system() {
        return name -> Arrays.asList(InetAddress.getAllByName(name));
    }
}
