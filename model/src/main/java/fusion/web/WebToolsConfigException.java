package fusion.web;

/** A web tools setting that cannot work; the message names the key and how to fix it, so a CLI can print it as is. */
public class WebToolsConfigException extends IllegalArgumentException {
    public WebToolsConfigException(String message) {
        super(message);
    }
}
