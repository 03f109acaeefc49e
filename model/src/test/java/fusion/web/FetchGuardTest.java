package fusion.web;

import static fusion.web.ScriptedResolver.ip;
import static fusion.web.ScriptedResolver.ipv6;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSRF corpus: every URL here is refused before any connection is attempted. Names are answered by a scripted
 * resolver with the addresses an attacker would point them at, and the socket factory records every attempt (and
 * would refuse any that is not loopback), so nothing here sends a packet anywhere.
 */
class FetchGuardTest {
    private static final byte[] MAPPED_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};

    private final ScriptedResolver resolver = new ScriptedResolver()
            .answer("evil.example", ip("10.0.0.1"))
            .answer("rebind.example", ip("93.184.216.34"), ip("127.0.0.1"))
            .answer("mapped.example", ipv6(MAPPED_LOOPBACK))
            .answer("ula.example", ip("fd12:3456::1"))
            .answer("metadata.example", ip("169.254.169.254"))
            .answer("cgnat.example", ip("100.100.100.200"))
            .answer("public.example", ip("93.184.216.34"));
    private final LoopbackOnlySockets sockets = new LoopbackOnlySockets();
    private final WebTools tools = LocalWebTools.of(WebToolsConfig.defaults(), resolver, sockets, (SSLSocketFactory) SSLSocketFactory.getDefault());

    @ParameterizedTest(name = "[{index}] {0}")
    @DisplayName("a non-public address, in any spelling, is refused before any connection is attempted")
    @ValueSource(strings = {
            // loopback in every spelling
            "http://127.0.0.1/", "http://127.0.0.1./", "http://127.0.0.1.../", "http://127.1/", "http://127.0.1/",
            "http://2130706433/", "http://0x7f000001/", "http://0X7F000001/", "http://0x7f.1/", "http://0x7f.0x0.0x0.0x1/",
            "http://0177.0.0.1/", "http://017700000001/", "http://0000177.000.000.001/", "HTTP://127.0.0.1/", "http://127.0.0.1:80/",
            "http://localhost/", "http://LOCALHOST./", "http://LocalHost.LocalDomain/", "http://foo.localhost/",
            "http://\u24dbocalhost/", "http://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/",
            "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::127.0.0.1]/", "http://[2002:7f00:1::]/",
            // unspecified, broadcast, multicast, reserved, benchmarking
            "http://0.0.0.0/", "http://0/", "http://[::]/", "http://255.255.255.255/", "http://224.0.0.1/", "http://[ff02::1]/",
            "http://240.0.0.1/", "http://198.18.0.1/", "http://192.0.2.1/",
            // private, shared and link-local networks
            "http://10.0.0.1/", "http://10.1/", "http://172.16.5.4/", "http://172.31.255.255/", "http://192.168.1.1/",
            "http://100.64.0.1/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[::ffff:a00:1]/",
            "http://[::ffff:192.168.0.1]/", "http://[2002:c0a8:101::]/", "http://[64:ff9b::a00:1]/", "http://[64:ff9b::808:808]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[fec0::1]/", "http://[2001:db8::1]/",
            // cloud metadata, by address and by name
            "http://169.254.169.254/latest/meta-data/", "http://2852039166/", "http://0xa9fea9fe/", "http://169.254.170.2/",
            "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://192.0.0.192/", "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.GOOGLE.INTERNAL./", "http://metadata/",
            "http://metadata.goog/", "http://instance-data/", "http://instance-data.ec2.internal/", "http://kubernetes.default.svc/",
            // names that resolve to private addresses
            "http://evil.example/", "http://rebind.example/", "http://mapped.example/", "http://ula.example/",
            "http://metadata.example/", "http://cgnat.example/",
            // userinfo and parser tricks
            "http://public@127.0.0.1/", "http://public.example@127.0.0.1/", "http://127.0.0.1:80@public.example/",
            "http://127.0.0.1\\@public.example/", "http://[fe80::1%25eth0]/", "http://%31%32%37.0.0.1/", "http:/\\127.0.0.1/",
            "http:127.0.0.1/", "http://1.2.3.4.5/", "http://public.example.0x7f/", "http://127.0.0.1 /", "http://127.0.0.1\r\nX: y/",
            // other schemes
            "file:///etc/passwd", "FILE:///etc/passwd", "gopher://127.0.0.1:70/_GET", "ftp://public.example/", "jar:http://public.example/x.jar!/",
            "data:text/plain,hello", "dict://127.0.0.1:11211/", "ldap://127.0.0.1/", "netdoc:///etc/passwd", "javascript:alert(1)",
            // ports other than 80 and 443 on a host that is not allowlisted
            "http://public.example:22/", "https://public.example:6379/", "http://public.example:8080/",
            // no URL at all
            "", "   ", "public.example/"})
    void refusedBeforeAnyConnection(String url) {
        ToolResult result = tools.fetch(url);

        assertThat(result.refused()).isTrue();
        assertThat(result.content()).isEqualTo(LocalWebTools.REFUSED);
        assertThat(result.sources()).isEmpty();
        assertThat(sockets.attempts()).isEmpty();
    }

    @Test
    @DisplayName("the corpus holds at least 30 forms")
    void corpusSize() throws NoSuchMethodException {
        ValueSource corpus = getClass().getDeclaredMethod("refusedBeforeAnyConnection", String.class).getAnnotation(ValueSource.class);
        assertThat(corpus.strings()).hasSizeGreaterThanOrEqualTo(30);
    }

    @Test
    @DisplayName("an IP literal in any spelling is never handed to the resolver")
    void literalsAreNotLookedUp() {
        for (String url : List.of("http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
                "http://169.254.169.254/")) {
            tools.fetch(url);
        }
        assertThat(resolver.lookups()).isEmpty();
    }

    @Test
    @DisplayName("the refusal text is the same for every rule and tells the model nothing of the address or the rule")
    void refusalTellsNothing() {
        assertThat(tools.fetch("http://10.0.0.1/").content()).isEqualTo(tools.fetch("gopher://x/").content())
                .isEqualTo(tools.fetch("http://metadata.google.internal/").content())
                .doesNotContain("10.0.0.1", "private", "RFC", "metadata", "gopher");
    }

    @Test
    @DisplayName("a public name is looked up once and the connection goes to the very address that was checked")
    void connectsToTheCheckedAddress() {
        // the recording socket fails this attempt before any packet: 93.184.216.34 is not loopback
        ToolResult result = tools.fetch("http://public.example/page");

        assertThat(result.refused()).isFalse();
        assertThat(result.content()).startsWith("web_fetch failed");
        assertThat(resolver.lookups()).containsExactly("public.example");
        assertThat(sockets.attempts()).containsExactly(new InetSocketAddress(ip("93.184.216.34"), 80));
    }

    @Test
    @DisplayName("public addresses pass: IPv4, global IPv6, and IPv4-mapped or 6to4 forms of a public IPv4 address")
    void publicAddressesPass() {
        for (String literal : List.of("93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1")) {
            assertThat(PublicAddresses.refusal(ip(literal))).as(literal).isNull();
        }
        assertThat(PublicAddresses.refusal(ipv6(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 8, 8, 8, 8}))).isNull();
        assertThat(PublicAddresses.refusal(ipv6(MAPPED_LOOPBACK))).contains("loopback");
    }

    @Test
    @DisplayName("allowlist entries are canonical like fetched URLs: IPv6 spellings, case, trailing dots and numeric forms match")
    void allowlistEntriesCanonical() throws FetchRefusal {
        WebToolsConfig config = WebToolsConfig.parse(Map.of(WebToolsConfig.ALLOW, "[::1]:8080, LOCALHOST.:9000, 0x7f000001:7000"), name -> null);
        FetchGuard guard = new FetchGuard(config.allow(), config.ports(), resolver);

        assertThat(guard.allowlisted(FetchTarget.parse("http://[0:0:0:0:0:0:0:1]:8080/"))).isTrue();
        assertThat(guard.allowlisted(FetchTarget.parse("http://localhost:9000/"))).isTrue();
        assertThat(guard.allowlisted(FetchTarget.parse("http://127.0.0.1:7000/"))).isTrue();
        assertThat(guard.allowlisted(FetchTarget.parse("http://127.0.0.1:8080/"))).isFalse();
    }

    @Test
    @DisplayName("numeric hosts are read the way inet_aton reads them")
    void numericSpellings() throws FetchRefusal {
        Map<String, String> spellings = Map.of("http://2130706433/", "127.0.0.1", "http://0x7f000001/", "127.0.0.1", "http://0177.0.0.1/", "127.0.0.1",
                "http://127.1/", "127.0.0.1", "http://10.1.2/", "10.1.0.2", "http://0/", "0.0.0.0", "http://0x5db8d822/", "93.184.216.34");
        spellings.forEach((url, address) -> {
            try {
                assertThat(FetchTarget.parse(url).host()).as(url).isEqualTo(address);
            } catch (FetchRefusal e) {
                throw new AssertionError(url, e);
            }
        });
        assertThat(FetchTarget.parse("http://Example.COM./a%20b/\u00e9?q=\"x\"#frag").url()).isEqualTo("http://example.com/a%20b/%C3%A9?q=%22x%22");
    }
}
