package fusion.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/** A page as a model reads it: the title, and the text with one line per block, no scripts, styles or markup. */
record PageText(String title, String text) {
    private static final String INVISIBLE = "script, style, noscript, template, iframe, object, embed, svg, canvas, head > :not(title)";

    /** @param charset from the Content-Type header, or null to let jsoup read the BOM or the page's meta tag */
    static PageText ofHtml(byte[] html, String charset, String url) {
        Document document;
        try {
            document = Jsoup.parse(new ByteArrayInputStream(html), charset, url);
        } catch (IOException e) {
            throw new UncheckedIOException("parsing a page held in memory", e);
        }
        document.select(INVISIBLE).remove();
        String title = document.title().strip();
        StringBuilder text = new StringBuilder();
        document.body().traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode t) {
                    // text() has collapsed the node's whitespace but kept a space at either edge, which separates inline words
                    text.append(t.text());
                } else if (node instanceof Element e && (e.isBlock() || e.nameIs("br"))) {
                    newLine(text);
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e && e.isBlock()) newLine(text);
            }
        });
        String lines = text.toString().replaceAll("[ \t\u00a0]+", " ").replaceAll(" ?\n ?", "\n").replaceAll("\n{3,}", "\n\n");
        return new PageText(title.isEmpty() ? null : title, lines.strip());
    }

    private static void newLine(StringBuilder text) {
        while (text.length() > 0 && Character.isWhitespace(text.charAt(text.length() - 1)) && text.charAt(text.length() - 1) != '\n') {
            text.setLength(text.length() - 1);
        }
        if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') text.append('\n');
    }
}
