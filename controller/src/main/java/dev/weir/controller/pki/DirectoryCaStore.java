package dev.weir.controller.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA as files ({@code DIR/ca.crt}, {@code DIR/ca.key}) and the dataplane credentials in
 * {@code DIR/dataplane/{tls.crt,tls.key,ca.crt}}: the same as {@link SecretCaStore} without Kubernetes
 * (local mode, tests, a controller outside a cluster). Keys are readable by their owner only.
 */
public final class DirectoryCaStore implements CaStore {
  private static final Logger log = LoggerFactory.getLogger(DirectoryCaStore.class);

  private final Path dir;
  private final Clock clock;

  public DirectoryCaStore(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** Where the dataplanes' {@code --control-tls-dir} should point. */
  public Path dataplaneDir() {
    return dir.resolve("dataplane");
  }

  @Override
  public CertificateAuthority loadOrCreate() {
    Path crt = dir.resolve("ca.crt");
    Path key = dir.resolve("ca.key");
    try {
      if (Files.exists(crt) || Files.exists(key)) return read(crt, key);
      Files.createDirectories(dir);
      CertificateAuthority created = CertificateAuthority.generate(clock.instant());
      // The key first, and without replacing: a second controller on the same directory that loses the race
      // gets FileAlreadyExistsException and reads the winner's CA (the winner writes ca.crt right after).
      try {
        createPrivate(key, Pem.privateKey(created.key()), false);
      } catch (FileAlreadyExistsException e) {
        return awaitAndRead(crt, key);
      }
      write(crt, Pem.certificate(created.certificate()), false, true);
      log.info("created control-channel CA in {}", dir);
      return created;
    } catch (IOException e) {
      throw new UncheckedIOException("CA directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private CertificateAuthority awaitAndRead(Path crt, Path key) throws IOException {
    for (int i = 0; i < 50 && !Files.exists(crt); i++) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return read(crt, key);
  }

  private CertificateAuthority read(Path crt, Path key) throws IOException {
    if (!Files.exists(crt) || !Files.exists(key)) {
      throw new IllegalArgumentException("CA directory " + dir + " needs both ca.crt and ca.key");
    }
    try {
      return new CertificateAuthority(Pem.firstCertificate(Files.readString(crt)), Pem.privateKey(Files.readString(key)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CA directory " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Credentials> readDataplane() {
    Path d = dataplaneDir();
    try {
      return Optional.of(Credentials.parse(Files.readString(d.resolve("tls.crt")), Files.readString(d.resolve("tls.key")),
          Files.readString(d.resolve("ca.crt"))));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void writeDataplane(Credentials c) {
    Path d = dataplaneDir();
    try {
      Files.createDirectories(d);
      // Each file is replaced atomically; a dataplane that reads between two of them fails one handshake
      // and reads a consistent set on its next attempt.
      createPrivate(d.resolve("tls.key"), c.keyPem(), true);
      write(d.resolve("tls.crt"), c.certificatePem(), true, true);
      write(d.resolve("ca.crt"), c.caPem(), true, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write dataplane credentials to " + d + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return dataplaneDir().toString();
  }

  private static void createPrivate(Path target, String text, boolean replace) throws IOException {
    write(target, text, replace, false);
  }

  /** Writes a temp file (owner-only unless {@code world}), then moves it into place. */
  private static void write(Path target, String text, boolean replace, boolean world) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      restrict(tmp, world ? "rw-r--r--" : "rw-------");
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      if (replace) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(tmp, target); // no REPLACE_EXISTING: FileAlreadyExistsException if someone was first
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void restrict(Path file, String perms) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the file keeps the directory's default permissions.
    }
  }
}
