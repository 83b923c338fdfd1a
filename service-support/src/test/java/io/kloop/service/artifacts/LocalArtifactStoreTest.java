package io.kloop.service.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.ArtifactRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {

  @TempDir
  Path root;

  @Test
  void shouldStoreContentUnderItsHashOnceAndReadItBackVerified() {
    LocalArtifactStore store = new LocalArtifactStore(root);
    byte[] content = "model bytes".getBytes(StandardCharsets.UTF_8);

    ArtifactRef first = store.put(content, "application/onnx");
    ArtifactRef second = store.put(content, "application/onnx");

    assertThat(first.getSha256()).isEqualTo(LocalArtifactStore.sha256(content)).isEqualTo(second.getSha256());
    assertThat(first.getSizeBytes()).isEqualTo(content.length);
    assertThat(store.read(first)).isEqualTo(content);
    assertThat(store.verifiedPath(first.getSha256())).startsWith(root).hasBinaryContent(content);
  }

  @Test
  void shouldRefuseAHashThatIsNotAHashSoNoPathCanBeSmuggledIn() {
    LocalArtifactStore store = new LocalArtifactStore(root);

    for (String bad : new String[] {"../../etc/passwd", "ab/../../x", "ABCDEF" + "0".repeat(58), "0".repeat(63), null}) {
      assertThatThrownBy(() -> store.verifiedPath(bad)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a SHA-256");
    }
  }

  @Test
  void shouldReportAMissingOrAlteredArtifact() throws IOException {
    LocalArtifactStore store = new LocalArtifactStore(root);
    ArtifactRef stored = store.put("original".getBytes(StandardCharsets.UTF_8), "application/onnx");
    String missing = LocalArtifactStore.sha256("never stored".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> store.verifiedPath(missing)).isInstanceOf(ArtifactIntegrityException.class).hasMessageContaining("missing");

    Files.writeString(store.pathOf(stored.getSha256()), "tampered");
    assertThatThrownBy(() -> store.verifiedPath(stored.getSha256())).isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("expected " + stored.getSha256());
    assertThatThrownBy(() -> store.read(stored)).isInstanceOf(ArtifactIntegrityException.class);
  }

  @Test
  void shouldReplaceAStoredFileWhoseBytesNoLongerMatchItsNameOnTheNextPut() throws IOException {
    LocalArtifactStore store = new LocalArtifactStore(root);
    byte[] content = "batch bytes".getBytes(StandardCharsets.UTF_8);
    ArtifactRef stored = store.put(content, "application/avro");
    Path file = store.pathOf(stored.getSha256());

    for (byte[] damage : new byte[][] {new byte[0], "batch byt".getBytes(StandardCharsets.UTF_8), "batch bytez".getBytes(StandardCharsets.UTF_8)}) {
      Files.write(file, damage);
      assertThatThrownBy(() -> store.read(stored)).isInstanceOf(ArtifactIntegrityException.class);

      ArtifactRef again = store.put(content, "application/avro");

      assertThat(again.getUri()).isEqualTo(stored.getUri());
      assertThat(file).hasBinaryContent(content);
      assertThat(store.read(stored)).isEqualTo(content);
    }
    try (var left = Files.list(file.getParent())) {
      assertThat(left).as("no temporary file is left beside the artifact").containsExactly(file);
    }
  }
}
