package fusion.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/**
 * A socket factory for tests that records every connection attempt and lets only loopback ones through: an
 * attempt on any other address fails before a packet is sent, and shows in {@link #attempts()}.
 */
final class LoopbackOnlySockets extends SocketFactory {
    private final List<InetSocketAddress> attempts = new CopyOnWriteArrayList<>();

    List<InetSocketAddress> attempts() {
        return attempts;
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            @Override
            public void connect(SocketAddress endpoint, int timeout) throws IOException {
                InetSocketAddress address = (InetSocketAddress) endpoint;
                attempts.add(address);
                if (address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
                    throw new IOException("test sockets connect to loopback only, not " + address);
                }
                super.connect(endpoint, timeout);
            }
        };
    }

    private static UnsupportedOperationException connectedSocket() {
        return new UnsupportedOperationException("the fetch must connect an unconnected socket to a checked address");
    }

    @Override
    public Socket createSocket(String host, int port) {
        throw connectedSocket();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw connectedSocket();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
        throw connectedSocket();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw connectedSocket();
    }
}
