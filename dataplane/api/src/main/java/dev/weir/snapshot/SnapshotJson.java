package dev.weir.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** JSON encoding of snapshots and channel messages: the one place that knows the wire format. */
public final class SnapshotJson {

  // ObjectMapper is thread-safe once configured; this one is never reconfigured after construction.
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private SnapshotJson() {}

  public static byte[] encode(ChannelMessage message) {
    try {
      return MAPPER.writerFor(ChannelMessage.class).writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** Decodes one frame; throws {@link IllegalArgumentException} with a readable reason on bad input. */
  public static ChannelMessage decode(byte[] frame) {
    try {
      return MAPPER.readValue(frame, ChannelMessage.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed control-channel message: " + reason(e), e);
    }
  }

  public static byte[] writeSnapshot(Snapshot snapshot) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(snapshot);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode snapshot", e);
    }
  }

  public static Snapshot readSnapshot(byte[] json) {
    try {
      return MAPPER.readValue(json, Snapshot.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed snapshot: " + reason(e), e);
    }
  }

  public static Snapshot readSnapshot(Path file) throws IOException {
    return readSnapshot(Files.readAllBytes(file));
  }

  /** Writes atomically (temp file + rename) so a crash never leaves a half-written snapshot behind. */
  public static void writeSnapshot(Snapshot snapshot, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, writeSnapshot(snapshot));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** SHA-256 over the canonical JSON of the content, with version and hash left out. */
  public static String contentHash(Snapshot snapshot) {
    Snapshot content =
        new Snapshot(0, "", snapshot.virtualHosts(), snapshot.clusters(), snapshot.certificates(), snapshot.defaultCertificate());
    try {
      byte[] json = MAPPER.writeValueAsBytes(content);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present in the JDK", e);
    }
  }

  private static String reason(IOException e) {
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }
}
