package fusion.web;

import static fusion.web.ScriptedResolver.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * https through the pinned connection: the socket goes to the checked address, and TLS still sends the URL's host
 * as SNI and verifies the certificate against it. Test certificates are in {@code src/test/resources/tls}.
 */
class WebFetchTlsTest {
    private static final char[] PASSWORD = "test-only".toCharArray();

    private final ScriptedResolver resolver = new ScriptedResolver().answer("localhost", ip("127.0.0.1"));
    private final LoopbackOnlySockets sockets = new LoopbackOnlySockets();
    private MockWebServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static KeyStore keyStore(String name) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = WebFetchTlsTest.class.getResourceAsStream("/tls/" + name)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    /** A server presenting the given certificate, and a client that trusts exactly that certificate. */
    private WebTools serveWith(String certificate) throws Exception {
        KeyStore keys = keyStore(certificate);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        server = new MockWebServer();
        server.useHttps(serverContext.getSocketFactory());
        server.start(InetAddress.getByName("127.0.0.1"), 0);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);
        WebToolsConfig config = WebToolsConfig.parse(Map.of(WebToolsConfig.ALLOW, "localhost:" + server.getPort()), name -> null);
        return LocalWebTools.of(config, resolver, sockets, clientContext.getSocketFactory());
    }

    @Test
    @DisplayName("https to a name: connected to the checked address, the name sent as SNI, the certificate verified against it")
    void httpsByName() throws Exception {
        WebTools tools = serveWith("localhost.p12");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html").body("<title>Secure</title><p>over TLS</p>").build());

        ToolResult result = tools.fetch("https://localhost:" + server.getPort() + "/page");

        assertThat(result.content()).contains("Title: Secure").contains("over TLS");
        assertThat(server.takeRequest().getHandshakeServerNames()).containsExactly("localhost");
        assertThat(resolver.lookups()).containsExactly("localhost");
        assertThat(sockets.attempts()).hasSize(1).allMatch(a -> a.getAddress().equals(ip("127.0.0.1")));
    }

    @Test
    @DisplayName("a certificate for another host is rejected: pinning the address does not switch hostname verification off")
    void wrongHostCertificateRejected() throws Exception {
        WebTools tools = serveWith("other-test.p12");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain").body("should not be read").build());

        ToolResult result = tools.fetch("https://localhost:" + server.getPort() + "/page");

        assertThat(result.refused()).isFalse();
        assertThat(result.content()).isEqualTo("web_fetch failed: the page could not be fetched.");
        assertThat(result.sources()).isEmpty();
    }

    @Test
    @DisplayName("a server that accepts and never finishes the TLS handshake is given up on at fusion.web-fetch.timeout-ms")
    void stalledHandshake() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            WebToolsConfig config = WebToolsConfig.parse(Map.of(WebToolsConfig.ALLOW, "localhost:" + silent.getLocalPort(),
                    WebToolsConfig.FETCH_TIMEOUT, "300"), name -> null);
            WebTools tools = LocalWebTools.of(config, resolver, sockets, (SSLSocketFactory) SSLSocketFactory.getDefault());

            ToolResult result = tools.fetch("https://localhost:" + silent.getLocalPort() + "/");

            assertThat(result.content()).startsWith("web_fetch failed: the page did not answer in");
        }
    }
}
