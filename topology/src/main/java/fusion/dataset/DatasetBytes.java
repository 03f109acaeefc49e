package fusion.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A dataset file's bytes as UTF-8, before any row is read: a UTF-8 byte-order mark is dropped (so the
 * first row is not lost to it), and a file that starts with a UTF-16 mark, as Windows tools save
 * "Unicode" text, is read as UTF-16. Invalid UTF-8 is left in place, for each row to report its own.
 */
final class DatasetBytes {
    private DatasetBytes() {}

    static byte[] utf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) return Arrays.copyOfRange(bytes, 3, bytes.length);
        if (startsWith(bytes, 0xFF, 0xFE)) return transcode(file, bytes, StandardCharsets.UTF_16LE);
        if (startsWith(bytes, 0xFE, 0xFF)) return transcode(file, bytes, StandardCharsets.UTF_16BE);
        return bytes;
    }

    /**
     * UTF-8 bytes as text, each invalid sequence replaced by U+FFFD and remembered, so that a table's reader
     * can tell which row holds it.
     *
     * @param badChars where in the text each replacement is; {@code badBytes} where in the file its byte was
     */
    record Text(String text, java.util.List<Integer> badChars, java.util.List<Integer> badBytes, byte[] bytes) {
        /** The first invalid byte in text offsets [from, to), described, or null. */
        String problemBetween(long from, long to) {
            for (int i = 0; i < badChars.size(); i++) {
                int at = badChars.get(i);
                if (at >= from && at < to) {
                    int b = badBytes.get(i);
                    return String.format("is not valid UTF-8: byte 0x%02X at byte offset %d of the file cannot start or continue a "
                            + "UTF-8 character; save the file as UTF-8 (a Latin-1 or Windows-1252 file shows this)", bytes[b] & 0xFF, b);
                }
            }
            return null;
        }
    }

    static Text text(byte[] utf8) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length + 1);
        java.util.List<Integer> badChars = new java.util.ArrayList<>();
        java.util.List<Integer> badBytes = new java.util.ArrayList<>();
        while (true) {
            java.nio.charset.CoderResult r = strict.decode(in, out, true);
            if (!r.isError()) break;
            badChars.add(out.position());
            badBytes.add(in.position());
            out.put('\uFFFD');
            in.position(in.position() + r.length());
        }
        strict.flush(out);
        return new Text(out.flip().toString(), badChars, badBytes, utf8);
    }

    private static byte[] transcode(Path file, byte[] bytes, Charset utf16) throws DatasetException {
        CharsetDecoder strict = utf16.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer text = strict.decode(ByteBuffer.wrap(bytes, 2, bytes.length - 2));
            ByteBuffer out = StandardCharsets.UTF_8.encode(text);
            return Arrays.copyOfRange(out.array(), out.position(), out.limit());
        } catch (CharacterCodingException e) {
            throw new DatasetException(file.getFileName() + " starts with a " + utf16.name() + " byte-order mark but is not valid "
                    + utf16.name() + "; save it as UTF-8");
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) return false;
        }
        return true;
    }
}
