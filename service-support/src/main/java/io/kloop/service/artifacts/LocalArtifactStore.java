package io.kloop.service.artifacts;

import io.kloop.events.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The artifact store in a local directory: {@code <root>/sha256/<first two hex digits>/<sha256>}, written
 * to a temporary file and moved into place atomically, so a reader never sees half a blob and a crash
 * mid-write leaves at most an unreferenced temporary file. URIs are {@code file:} URIs.
 *
 * <p>Durable before it is announced: {@link #put} returns only once the file's bytes and its directory entry
 * are on disk (fsync of the file, then of every directory it created or changed), so an event that names
 * the artifact, committed after the put, never outlives it, not even a power loss. A file already stored
 * under the name is kept only if its bytes still have that hash; a damaged one is replaced by the new put.
 */
public final class LocalArtifactStore implements ArtifactStore {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path root;

  public LocalArtifactStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public ArtifactRef put(byte[] content, String mediaType) {
    String sha256 = sha256(content);
    Path target = pathOf(sha256);
    try {
      if (!holds(target, sha256)) {
        createDirectoriesDurably(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), sha256, ".partial");
        try {
          try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
              channel.write(bytes);
            }
          }
          moveIntoPlace(temporary, target);
        } finally {
          Files.deleteIfExists(temporary);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact " + sha256 + " in " + root, e);
    }
    return ArtifactRef.newBuilder().setUri(target.toUri().toString()).setSha256(sha256)
        .setSizeBytes(content.length).setMediaType(mediaType).build();
  }

  /** Whether the file is there with bytes that have this hash (a damaged or truncated one is not kept). */
  private static boolean holds(Path file, String sha256) throws IOException {
    if (!Files.exists(file)) {
      return false;
    }
    try {
      return sha256.equals(hashOf(file));
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * Moves a fully written temporary file to its content-addressed place, atomically where the file system
   * can, durably: the file's bytes are forced to disk first and its directory after, so a crash or a power
   * loss leaves either no file or the whole one. A file already there is replaced (the same bytes, or a
   * damaged copy of them).
   */
  public static void moveIntoPlace(Path temporary, Path target) throws IOException {
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncDirectory(target.getParent());
  }

  /** Creates the directory and its missing parents, each one's entry forced to disk in its parent. */
  private static void createDirectoriesDurably(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    Path parent = directory.getParent();
    if (parent != null) {
      createDirectoriesDurably(parent);
    }
    try {
      Files.createDirectory(directory);
    } catch (FileAlreadyExistsException e) {
      // Made meanwhile by another writer sharing the store.
    }
    if (parent != null) {
      fsyncDirectory(parent);
    }
  }

  /** Forces a directory's entries to disk (POSIX file systems; Windows cannot open a directory and needs not). */
  static void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!WINDOWS) {
        throw e;
      }
    }
  }

  private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  @Override
  public byte[] read(ArtifactRef artifact) {
    Path path;
    try {
      path = Path.of(URI.create(artifact.getUri())).toAbsolutePath().normalize();
    } catch (IllegalArgumentException e) {
      throw new ArtifactIntegrityException("artifact URI " + artifact.getUri() + " is not a file URI", e);
    }
    if (!path.startsWith(root)) {
      throw new ArtifactIntegrityException("artifact " + artifact.getUri() + " is outside the store " + root);
    }
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ArtifactIntegrityException("artifact " + artifact.getUri() + " is missing", e);
    } catch (IOException e) {
      throw new ArtifactIntegrityException("artifact " + artifact.getUri() + " cannot be read: " + e.getMessage(), e);
    }
    String actual = sha256(content);
    if (!actual.equals(artifact.getSha256())) {
      throw new ArtifactIntegrityException("artifact " + artifact.getUri() + " has SHA-256 " + actual + ", expected " + artifact.getSha256());
    }
    return content;
  }

  /**
   * The file of the artifact with this SHA-256, after checking that its bytes still have that hash (read as
   * a stream, never whole in memory). The path is built from the hash alone, so nothing a client sends can
   * point outside the store.
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lower-case hex digits
   * @throws ArtifactIntegrityException when the file is missing, unreadable or its bytes changed
   */
  public Path verifiedPath(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a SHA-256 (64 lower-case hex digits): " + sha256);
    }
    Path path = pathOf(sha256);
    String actual;
    try {
      actual = hashOf(path);
    } catch (NoSuchFileException e) {
      throw new ArtifactIntegrityException("artifact " + sha256 + " is missing from the store " + root, e);
    } catch (IOException e) {
      throw new ArtifactIntegrityException("artifact " + sha256 + " cannot be read: " + e.getMessage(), e);
    }
    if (!actual.equals(sha256)) {
      throw new ArtifactIntegrityException("artifact " + path + " has SHA-256 " + actual + ", expected " + sha256);
    }
    return path;
  }

  /**
   * Where the artifact with this SHA-256 lives (or would live) in the store, whether or not it is there;
   * a copy of the store elsewhere (a download cache) uses the same layout.
   */
  public Path pathOf(String sha256) {
    return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  /** The SHA-256 of a file's bytes, read as a stream (never whole in memory). */
  private static String hashOf(Path file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String sha256(byte[] content) {
    return HexFormat.of().formatHex(newDigest().digest(content));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
