package dev.weir.controller.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.weir.dataplane.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real certificates in golden fixtures without committing any: a fixture writes a placeholder where
 * PEM goes, {@code "@pki cert shop.example.com"}, {@code "@pki key shop.example.com"}, {@code "@pki ca"},
 * {@code "@pki cert expired.example.com"} (valid only in January 2020), {@code "@pki key unrelated"} (a
 * key no certificate matches). {@link #expand} swaps in PEM made at test time (the same for a
 * placeholder within one JVM), and {@link #collapse} turns any such PEM in the output back into its
 * placeholder, so out files are stable and readable. {@code "@pki64 ..."} is the same PEM base64-encoded,
 * for a Secret's {@code data}.
 */
final class FixturePki {
  private static final Pattern PLACEHOLDER = Pattern.compile("\"@pki(64)? (cert|key|ca)( [^\"]+)?\"");
  private static final TestPki.Ca CA = TestPki.ca("weir fixture CA");
  private static final Map<String, String> PEMS = new HashMap<>(); // placeholder -> PEM; guarded by the class
  private static final Map<String, String> PLACEHOLDERS = new HashMap<>(); // PEM -> placeholder

  private FixturePki() {}

  /** The fixture text with every {@code "@pki ..."} string replaced by a JSON-quoted PEM. */
  static String expand(String yaml) {
    Matcher m = PLACEHOLDER.matcher(yaml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      boolean base64 = m.group(1) != null;
      String placeholder = m.group().substring(1, m.group().length() - 1).replace("@pki64 ", "@pki ");
      String pem = pem(placeholder);
      String value = base64 ? Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)) : pem.replace("\n", "\\n");
      m.appendReplacement(out, Matcher.quoteReplacement("\"" + value + "\""));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The tree with every text that is a PEM made here replaced by its placeholder. */
  static JsonNode collapse(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(collapse(e.getValue()));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, collapse(a.get(i)));
      }
    } else if (node.isTextual()) {
      String placeholder = placeholderOf(node.asText());
      if (placeholder != null) {
        return TextNode.valueOf(placeholder);
      }
    }
    return node;
  }

  private static synchronized String placeholderOf(String pem) {
    return PLACEHOLDERS.get(pem);
  }

  private static synchronized String pem(String placeholder) {
    String pem = PEMS.get(placeholder);
    if (pem != null) {
      return pem;
    }
    String[] words = placeholder.split(" ", 3);
    String kind = words[1];
    String subject = words.length > 2 ? words[2] : "";
    if (kind.equals("ca")) {
      register("@pki ca", CA.certificatePem());
    } else if (subject.equals("unrelated")) {
      register("@pki key unrelated", TestPki.unrelatedKeyPem());
    } else {
      TestPki.Leaf leaf =
          subject.startsWith("expired.")
              ? TestPki.server(CA, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-02-01T00:00:00Z"), subject)
              : TestPki.server(CA, subject);
      register("@pki cert " + subject, leaf.chainPem());
      register("@pki key " + subject, leaf.keyPem());
    }
    pem = PEMS.get(placeholder);
    if (pem == null) {
      throw new IllegalArgumentException("unknown fixture placeholder " + placeholder);
    }
    return pem;
  }

  private static void register(String placeholder, String pem) {
    PEMS.put(placeholder, pem);
    PLACEHOLDERS.put(pem, placeholder);
  }
}
